import type { AppDeps, Kernel } from '../../core/context.js';
import { KeyRing, registerKeyRing } from '../../core/signing-keys.js';

/** The signing keys of each application in this process (tests run several), by the application's kernel. */
const rings = new WeakMap<Kernel, KeyRing>();

/** The application's key ring, made and registered for token verification the first time it is asked for. */
export function keyRingOf(deps: Pick<AppDeps, 'orm' | 'kernel' | 'jwtSecret'>): KeyRing {
  let ring = rings.get(deps.kernel);
  if (!ring) {
    ring = new KeyRing((text, params = []) => deps.orm.em.getConnection().execute(text, params as never[]) as never, deps.jwtSecret);
    registerKeyRing(ring);
    rings.set(deps.kernel, ring);
  }
  return ring;
}

/** The ring made at start (the module's routes make it); a request of an application without one is a wiring fault. */
export function startedKeyRing(kernel: Kernel): KeyRing {
  const ring = rings.get(kernel);
  if (!ring) throw new Error('the account module has not been mounted: no signing keys');
  return ring;
}
