import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder, and the committee trees it ships (one JSON file per province). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TENANTS_DIR = path.join(ROOT, 'tenants');
