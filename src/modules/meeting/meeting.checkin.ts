import { createSecretKey, randomBytes } from 'node:crypto';
import { SignJWT, decodeJwt, jwtVerify } from 'jose';

/**
 * Check-in codes (签到码): a short-lived JWT (HS256, jose, as the platform's own tokens) that the venue screen
 * shows and the member's app submits. It names the meeting and the venue and is signed with the venue's own
 * secret, so a code opens no other venue, and it says what it is for (`typ`), so no access token passes as
 * one and no code as an access token (it has no committee claim and another audience).
 */
export const CHECKIN_CODE_TTL_SECONDS = 120;
const AUDIENCE = 'meeting-checkin';
const ISSUER = 'cppcc-linkage';

export const newCheckinSecret = () => randomBytes(32).toString('base64url');

export async function signCheckinCode(secret: string, meetingId: string, venueId: string, now: Date): Promise<{ code: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + CHECKIN_CODE_TTL_SECONDS;
  const code = await new SignJWT({ mid: meetingId })
    .setProtectedHeader({ alg: 'HS256', typ: 'checkin+jwt' })
    .setSubject(venueId)
    .setAudience(AUDIENCE)
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(createSecretKey(Buffer.from(secret, 'utf8')));
  return { code, expiresAt: new Date(exp * 1000) };
}

/** The venue a code claims to be for, read before its signature is checked (to find the venue's secret). */
export function claimedVenue(code: string): string | null {
  try {
    const sub = decodeJwt(code).sub;
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

/** Whether the code is this venue's, for this meeting, signed with its secret and not expired at `now`. */
export async function verifyCheckinCode(secret: string, code: string, meetingId: string, venueId: string, now: Date): Promise<'OK' | 'EXPIRED' | 'INVALID'> {
  try {
    const { payload } = await jwtVerify(code, createSecretKey(Buffer.from(secret, 'utf8')), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      issuer: ISSUER,
      subject: venueId,
      typ: 'checkin+jwt',
      requiredClaims: ['exp', 'mid'],
      currentDate: now,
    });
    return payload.mid === meetingId ? 'OK' : 'INVALID';
  } catch (e) {
    return (e as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'EXPIRED' : 'INVALID';
  }
}
