/** The payload of a JWT, read without checking its signature (the server checks it); null when it is not one. */
export function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const binary = atob(padded);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A Callscope client token says `iss: "callscope"`; any other token the server takes is a LiveKit access token. */
export function isLiveKitToken(token: string): boolean {
  const payload = decodeJwtPayload(token);
  return payload !== null && payload.iss !== 'callscope';
}
