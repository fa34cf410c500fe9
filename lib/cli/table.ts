/** Rows as aligned columns, two spaces apart, the header first: what a person scans in a terminal. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** An ISO instant as `2026-11-24 10:00:01Z`: shorter, still UTC and unambiguous. */
export const shortInstant = (iso: string | undefined): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z` : '');
