// Prints the tests that failed in TestResults/ (xunit .trx files and node's TAP output), each with the first lines of
// its message, so that the end of a long log says which tests to look at and why. Used by scripts/test.sh.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const folder = process.argv[2] ?? 'TestResults';
const unescape = (text) => text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const firstLines = (text, lines = 4) => text.trim().split('\n').slice(0, lines).map((line) => '      ' + line.trim().slice(0, 300)).join('\n');

for (const name of readdirSync(folder).sort()) {
  const path = join(folder, name);
  if (name.endsWith('.trx')) {
    const trx = readFileSync(path, 'utf8');
    const run = name.replace(/_\d{8,}\.trx$/, '');
    // Each result is <UnitTestResult .../> or <UnitTestResult ...>...</UnitTestResult>.
    for (const match of trx.matchAll(/<UnitTestResult ([^>]*?)(?:\/>|>([\s\S]*?)<\/UnitTestResult>)/g)) {
      if (!/outcome="Failed"/.test(match[1])) continue;
      const test = /testName="([^"]*)"/.exec(match[1]);
      const message = /<Message>([\s\S]*?)<\/Message>/.exec(match[2] ?? '');
      console.log(`  ${run}: ${unescape(test?.[1] ?? '?')}`);
      if (message) console.log(firstLines(unescape(message[1])));
    }
  } else if (name.endsWith('.tap')) {
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/^\s*not ok /.test(line)) return;
      console.log(`  ${name.replace(/\.tap$/, '')}: ${line.trim()}`);
      const detail = lines.slice(i + 1, i + 12).filter((l) => /error:|message:|expected|actual/i.test(l));
      if (detail.length > 0) console.log(firstLines(detail.join('\n')));
    });
  }
}
