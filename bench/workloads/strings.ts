// String building: templates, concatenation, join and split of medium strings.
import { scaleArg } from './scale.js';

function renderRow(i: number): string {
  return `<tr><td>${i}</td><td>${(i * 7919).toString(36)}</td><td>${'*'.repeat(i % 17)}</td></tr>`;
}

function renderTable(first: number, rows: number): string {
  const parts: string[] = [];
  for (let i = 0; i < rows; i++) parts.push(renderRow(first + i));
  return `<table>${parts.join('\n')}</table>`;
}

const pages = Math.round(20_000 * scaleArg());
let checksum = 0;
for (let p = 0; p < pages; p++) {
  const html = renderTable(p * 50, 50);
  const cells = html.split('<td>');
  checksum += cells.length + html.length;
}
console.log(`strings ${pages} ${checksum}`);
