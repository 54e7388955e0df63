/** Path of Debian's Chromium (or CHROMIUM_PATH). */
export const CHROMIUM: string;
/** Returns the Chromium path, installing Debian's package when missing; exits with instructions when it cannot. */
export function ensureChromium(): string;
