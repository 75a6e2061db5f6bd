// C0 and C1 controls, DEL, the line and paragraph separators and the bidirectional overrides and
// isolates: characters a terminal acts on (or that reorder what it shows) instead of printing.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// What JSON.stringify leaves raw: every C0 control inside a string is escaped already, and outside strings
// JSON text holds only its own layout (newlines, spaces).
const CONTROL_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Escapes every control character of `text` (`\x1b`, `\n`, `\u202e`), so a name, command or message
 * from the user or the database cannot drive the terminal it is printed on: no escape sequence, bell,
 * carriage return or forged line reaches it raw. Backslashes are left alone.
 *
 * @example
 * ```ts
 * terminalSafe('a\u001b]0;title\u0007'); // 'a\\x1b]0;title\\x07'
 * ```
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });
}

/**
 * `JSON.stringify(value, null, 2)`, with DEL, the C1 controls and the other characters
 * {@link terminalSafe} escapes written as `\uXXXX` too (JSON escapes only U+0000–U+001F); the result
 * parses back to the same value.
 *
 * @example
 * ```ts
 * terminalSafeJson({ name: 'a\u009b' }); // '{\n  "name": "a\\u009b"\n}'
 * ```
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(CONTROL_IN_JSON, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
