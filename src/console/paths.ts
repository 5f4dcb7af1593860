import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the console's source lives and where its bundle is written (dist/ is not checked in). */
export const CONSOLE_SRC = path.dirname(fileURLToPath(import.meta.url));
export const CONSOLE_DIST = path.resolve(CONSOLE_SRC, '../../dist/console');
