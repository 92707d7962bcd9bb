/**
 * Finds the line of a key inside the N-th `[[table]]` of a TOML document, so config errors can
 * point at it. smol-toml reports positions only for syntax errors, so this scans the text; it
 * understands the shapes plugins.toml uses (array-of-tables headers, sub-tables, `key = value`).
 */
export function lineOfKey(source: string, table: string, index: number, keyPath: readonly string[]): number | undefined {
  const lines = source.split(/\r?\n/);
  const header = new RegExp(`^\\s*\\[\\[\\s*${escape(table)}\\s*\\]\\]`);
  let seen = -1;
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    if (header.test(lines[i] ?? '') && ++seen === index) {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  if (keyPath.length === 0) return start + 1;

  // Keys of the entry itself, or of a sub-table `[table.sub]` that belongs to this entry.
  const [first, ...rest] = keyPath;
  const subHeader = new RegExp(`^\\s*\\[\\s*${escape(table)}\\s*\\.\\s*${escape(first ?? '')}\\s*\\]`);
  let section: 'entry' | 'sub' | 'other' = 'entry';
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*\[/.test(line)) {
      if (header.test(line)) break;
      section = subHeader.test(line) ? 'sub' : 'other';
      if (section === 'sub' && rest.length === 0) return i + 1;
      continue;
    }
    const wanted = section === 'entry' ? first : section === 'sub' ? rest[0] : undefined;
    if (wanted !== undefined && keyPattern(wanted).test(line)) return i + 1;
  }
  return start + 1;
}

function keyPattern(key: string): RegExp {
  const k = escape(key);
  return new RegExp(`^\\s*(?:${k}|"${k}"|'${k}')\\s*(?:=|\\.)`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `file:line` for messages, or the file alone when the line is unknown. */
export function where(path: string, line: number | undefined): string {
  return line === undefined ? path : `${path}:${line}`;
}
