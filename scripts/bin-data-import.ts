import { readFile } from 'node:fs/promises';

/**
 * Turns a binlist/data `ranges.csv` into src/routing/bin-data/binlist-ranges.json, keeping only
 * the columns routing needs: `iin_start,iin_end,scheme,type,country`, where a row the source marks
 * prepaid gets type `prepaid`. Usage: tsx scripts/bin-data-import.ts <ranges.csv> <commit> > out.json
 */
async function main(csvFile: string, commit: string): Promise<void> {
  const [header, ...lines] = (await readFile(csvFile, 'utf8')).trim().split(/\r?\n/);
  const columns = parseCsvLine(header!).map((c) => c.toLowerCase());
  const at = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`${csvFile}: no column ${name}`);
    return index;
  };
  const [start, end, scheme, type, prepaid, country] = ['iin_start', 'iin_end', 'scheme', 'type', 'prepaid', 'country'].map(at) as [number, number, number, number, number, number];
  const rows = lines.map((line) => {
    const cells = parseCsvLine(line);
    const cell = (i: number) => (cells[i] ?? '').trim();
    const funding = cell(prepaid).toLowerCase() === 'y' ? 'prepaid' : cell(type).toLowerCase();
    return [cell(start), cell(end), cell(scheme).toLowerCase(), funding, cell(country).toUpperCase()].join(',');
  });
  const out = {
    source: 'https://github.com/binlist/data',
    commit,
    license: 'Apache-2.0 (see LICENSE and NOTICE beside this file)',
    columns: 'iin_start,iin_end,scheme,type,country',
    rows,
  };
  // One row per line, so a data update reads as a diff of rows.
  const body = JSON.stringify(out, null, 2).replace(/\n {4}"/g, '\n    "');
  process.stdout.write(body + '\n');
}

/** One CSV record (RFC 4180 quoting: "a, b" and "" for a quote inside quotes). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') cells.push(cell), (cell = '');
    else cell += char;
  }
  cells.push(cell);
  return cells;
}

const [csvFile, commit] = process.argv.slice(2);
if (!csvFile || !commit) {
  console.error('usage: tsx scripts/bin-data-import.ts <ranges.csv> <source commit>');
  process.exit(2);
}
await main(csvFile, commit);
