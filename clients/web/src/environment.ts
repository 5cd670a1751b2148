import { truncate } from './events';
import { networkTypes } from './stats';

export const sdkVersion = '0.1.0';

/** The browser's network type (Network Information API, where there is one), in the server's vocabulary. */
export function networkType(): string | undefined {
  const nav = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { connection?: { type?: unknown } });
  const type = nav?.connection?.type;
  return typeof type === 'string' && networkTypes.includes(type) ? type : undefined;
}

/** Browser name and major version from a user agent; order matters, as Chromium-based browsers also say Chrome. */
export function browserOf(ua: string): string {
  const rules: Array<[RegExp, string]> = [
    [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
    [/OPR\/(\d+)/, 'Opera'],
    [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/FxiOS\/(\d+)/, 'Firefox'],
    [/CriOS\/(\d+)/, 'Chrome'],
    [/Chrome\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[\d.]* .*Safari\//, 'Safari'],
  ];
  for (const [pattern, name] of rules) {
    const match = pattern.exec(ua);
    if (match) return `${name} ${match[1]}`;
  }
  return 'unknown';
}

export function osOf(ua: string): string {
  if (/iPhone|iPad|iPod/.test(ua)) return 'iOS';
  if (/Android/.test(ua)) return 'Android';
  if (/CrOS/.test(ua)) return 'ChromeOS';
  if (/Windows/.test(ua)) return 'Windows';
  if (/Mac OS X|Macintosh/.test(ua)) return 'macOS';
  if (/Linux/.test(ua)) return 'Linux';
  return 'unknown';
}

export function deviceOf(ua: string): 'desktop' | 'mobile' | 'tablet' {
  if (/iPad|Tablet/.test(ua) || (/Android/.test(ua) && !/Mobile/.test(ua))) return 'tablet';
  if (/Mobi|iPhone|iPod|Android/.test(ua)) return 'mobile';
  return 'desktop';
}

/** The `client` member of `participant_joined`. */
export function clientInfo(): Record<string, string> {
  const ua = typeof navigator === 'undefined' ? '' : navigator.userAgent ?? '';
  const info: Record<string, string> = {
    user_agent: truncate(ua),
    browser: browserOf(ua),
    os: osOf(ua),
    device: deviceOf(ua),
    sdk: `callscope-web/${sdkVersion}`,
  };
  const network = networkType();
  if (network !== undefined) info.network_type = network;
  return info;
}
