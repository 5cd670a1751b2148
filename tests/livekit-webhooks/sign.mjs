// Signs a webhook body as LiveKit's Go server does (auth.AccessToken.ToJWT via golang-jwt): header {"alg","typ"},
// payload iss, exp, nbf, iat, sha256 in that order, valid for five minutes from the moment it is sent.
import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';

export function bodyHash(body) {
  return createHash('sha256').update(body).digest('base64');
}

export async function webhookToken(body, { apiKey, apiSecret, issuedAt, validFor = 300, alg = 'HS256', omitExp = false }) {
  const payload = omitExp
    ? { iss: apiKey, nbf: issuedAt, iat: issuedAt, sha256: bodyHash(body) }
    : { iss: apiKey, exp: issuedAt + validFor, nbf: issuedAt, iat: issuedAt, sha256: bodyHash(body) };
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(apiSecret));
}
