/**
 * Text as key presses on a US keyboard: for each character its X keysym and its physical key (KeyboardEvent.code),
 * and whether Shift is held. QEMU takes the physical key when the client speaks its extended key events (noVNC
 * does), so a "$" is Shift+Digit4, not a keysym alone.
 */

export const XK = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Escape: 0xff1b,
  Delete: 0xffff,
  ShiftL: 0xffe1,
  ControlL: 0xffe3,
  AltL: 0xffe9,
  F1: 0xffbe,
} as const;

const UNSHIFTED: Record<string, string> = {
  ' ': 'Space', '-': 'Minus', '=': 'Equal', '[': 'BracketLeft', ']': 'BracketRight', '\\': 'Backslash', ';': 'Semicolon',
  "'": 'Quote', '`': 'Backquote', ',': 'Comma', '.': 'Period', '/': 'Slash',
};
const SHIFTED: Record<string, string> = {
  '!': 'Digit1', '@': 'Digit2', '#': 'Digit3', $: 'Digit4', '%': 'Digit5', '^': 'Digit6', '&': 'Digit7', '*': 'Digit8', '(': 'Digit9', ')': 'Digit0',
  _: 'Minus', '+': 'Equal', '{': 'BracketLeft', '}': 'BracketRight', '|': 'Backslash', ':': 'Semicolon', '"': 'Quote', '~': 'Backquote',
  '<': 'Comma', '>': 'Period', '?': 'Slash',
};

export interface KeyPress {
  readonly keysym: number;
  readonly code: string;
  readonly shift: boolean;
}

/** The key press typing `ch`, or undefined for a character a US keyboard has no key for. */
export function keyFor(ch: string): KeyPress | undefined {
  if (ch === '\n' || ch === '\r') return { keysym: XK.Return, code: 'Enter', shift: false };
  if (ch === '\t') return { keysym: XK.Tab, code: 'Tab', shift: false };
  if (ch === '\b') return { keysym: XK.BackSpace, code: 'Backspace', shift: false };
  if (/^[a-z]$/.test(ch)) return { keysym: ch.charCodeAt(0), code: `Key${ch.toUpperCase()}`, shift: false };
  if (/^[A-Z]$/.test(ch)) return { keysym: ch.charCodeAt(0), code: `Key${ch}`, shift: true };
  if (/^[0-9]$/.test(ch)) return { keysym: ch.charCodeAt(0), code: `Digit${ch}`, shift: false };
  if (UNSHIFTED[ch]) return { keysym: ch.charCodeAt(0), code: UNSHIFTED[ch], shift: false };
  if (SHIFTED[ch]) return { keysym: ch.charCodeAt(0), code: SHIFTED[ch], shift: true };
  return undefined;
}
