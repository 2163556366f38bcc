// docs/errors.md lists every error reason the hub answers, once, and nothing else. No hub is started: this test reads
// the hub's C# sources (src/EBakul.Hub/**/*.cs) and the page.
//
// A reason is an UPPER_SNAKE string literal, or a `const string` holding one, that appears among the arguments of a
// call that raises or reports it:
//   - HubException's factories (HubException.NotFound("REASON", ...), InvalidField(field, REASON, ...), ...) and its
//     own constructor (new(StatusCode.X, ... "REQUEST_INVALID" ...));
//   - FieldChecks: Add(field, reason, ...), Check(condition, field, reason, ...) and the reasons its helpers
//     (RequireText, RequireEnum, Timestamp, ...) pass to them;
//   - new FieldViolation(path, reason, ...) (the JSON request checks, the well-known type checks);
//   - the JSON request checks' WriteBadRequestAsync(context, reason, ...);
//   - per-item outcomes: new AcknowledgeResult(key, outcome, reason), a sync row's Rejected(index, nip, reason, ...),
//     a merchant's ChangeStatusAsync(..., wrongStateReason, ...);
// a call nested in another call's arguments (results.Add(new AcknowledgeResult(...))) counts as well.
// So that a reason raised in some other way is not missed, every other UPPER_SNAKE literal in the sources must be on
// NOT_REASONS below, with why it is not one; a new literal fails the test until it is either documented or listed.
// The page's reasons are the first cells of its tables (| `REASON` | ...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sourceRoot = join(root, 'src', 'EBakul.Hub');
const page = join(root, 'docs', 'errors.md');

/** UPPER_SNAKE literals in the sources that are not reasons the hub answers. */
const NOT_REASONS = new Map([
  ['DEDUCT_PERCENT', 'a sanction kind as e-TPP\'s JSON names it (EtppPush/EtppAdjustment.cs)'],
  ['DEDUCT_SHORTFALL', 'a sanction kind as e-TPP\'s JSON names it (EtppPush/EtppAdjustment.cs)'],
  ['EBAKUL_POSTGRES', 'an environment variable'],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'an environment variable'],
  ['OTEL_SERVICE_NAME', 'an environment variable'],
  ['NOT_FOUND', 'a gRPC code name in the OpenAPI document\'s error table (Hosting/OpenApiContract.cs)'],
  ['PERMISSION_DENIED', 'a gRPC code name in the OpenAPI document\'s error table (Hosting/OpenApiContract.cs)'],
  ['RESOURCE_EXHAUSTED', 'a gRPC code name in the OpenAPI document\'s error table (Hosting/OpenApiContract.cs)'],
]);

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const LITERAL = /"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/g;
// The calls whose arguments are searched; the match ends at the call's opening parenthesis.
const CALL = new RegExp([
  String.raw`\bHubException\.\w+\(`,
  String.raw`\bnew\(StatusCode\.`,
  String.raw`\bnew\s+(?:FieldViolation|AcknowledgeResult)\(`,
  String.raw`(?:\.|\b)(?:Add|Check|Rejected|ChangeStatusAsync|WriteBadRequestAsync)\(`,
].join('|'), 'g');

function csFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    if (entry.isDirectory()) return entry.name === 'bin' || entry.name === 'obj' ? [] : csFiles(join(dir, entry.name));
    return entry.name.endsWith('.cs') ? [join(dir, entry.name)] : [];
  });
}

/** The text of a call's arguments, from just after its opening parenthesis to the matching one (strings skipped over). */
function argumentsFrom(text, start) {
  let depth = 1;
  let i = start;
  while (i < text.length && depth > 0) {
    const c = text[i];
    if (c === '"') {
      const verbatim = text[i - 1] === '@' || (text[i - 1] === '$' && text[i - 2] === '@');
      i++;
      while (i < text.length && text[i] !== '"') i += !verbatim && text[i] === '\\' ? 2 : 1;
    } else if (c === '\'') {
      i += text[i + 1] === '\\' ? 3 : 2;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    i++;
  }
  return text.slice(start, i - 1);
}

/** `const string Name = "REASON"` of every file, by class (`Class.Name`) and by file (unqualified `Name`). */
function constants(files) {
  const byClass = new Map();
  const byFile = new Map();
  for (const [file, text] of files) {
    const own = new Map();
    for (const m of text.matchAll(/\bconst\s+string\s+(\w+)\s*=\s*"([^"]*)"\s*;/g)) {
      if (!UPPER_SNAKE.test(m[2])) continue;
      const classes = [...text.slice(0, m.index).matchAll(/\bclass\s+(\w+)/g)];
      const owner = classes.length > 0 ? classes[classes.length - 1][1] : '';
      byClass.set(`${owner}.${m[1]}`, m[2]);
      own.set(m[1], m[2]);
    }
    byFile.set(file, own);
  }
  return { byClass, byFile };
}

/** Every reason the sources raise, with where (file:line) it is first raised. */
function raisedReasons() {
  const files = new Map(csFiles(sourceRoot).map(f => [relative(sourceRoot, f), readFileSync(f, 'utf8')]));
  const { byClass, byFile } = constants(files);
  const raised = new Map();
  const allLiterals = new Map();
  for (const [file, text] of files) {
    const lineOf = index => text.slice(0, index).split('\n').length;
    for (const m of text.matchAll(LITERAL))
      if (!allLiterals.has(m[1])) allLiterals.set(m[1], `${file}:${lineOf(m.index)}`);
    for (const call of text.matchAll(CALL)) {
      const args = argumentsFrom(text, call.index + call[0].indexOf('(') + 1);
      const where = `${file}:${lineOf(call.index)}`;
      for (const m of args.matchAll(LITERAL)) if (!raised.has(m[1])) raised.set(m[1], where);
      const withoutStrings = args.replace(/"(?:[^"\\]|\\.)*"/g, '""');
      for (const m of withoutStrings.matchAll(/\b(?:(\w+)\.)?([A-Z]\w*)\b/g)) {
        const value = m[1] ? byClass.get(`${m[1]}.${m[2]}`) : byFile.get(file).get(m[2]);
        if (value && !raised.has(value)) raised.set(value, where);
      }
    }
  }
  return { raised, allLiterals };
}

/** The reasons docs/errors.md lists: the first cell of each table row, as `REASON`. */
function documentedReasons() {
  const text = readFileSync(page, 'utf8');
  return [...text.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map(m => m[1]);
}

test('every reason the hub raises is in docs/errors.md', () => {
  const { raised } = raisedReasons();
  const documented = new Set(documentedReasons());
  const missing = [...raised].filter(([reason]) => !documented.has(reason)).map(([reason, where]) => `${reason} (${where})`);
  assert.deepEqual(missing, [], `docs/errors.md lacks these reasons:\n  ${missing.join('\n  ')}`);
});

test('docs/errors.md lists only reasons the hub raises, each once', () => {
  const { raised } = raisedReasons();
  const documented = documentedReasons();
  const unknown = documented.filter(reason => !raised.has(reason));
  assert.deepEqual(unknown, [], `docs/errors.md lists reasons the hub never raises: ${unknown.join(', ')}`);
  const twice = documented.filter((reason, i) => documented.indexOf(reason) !== i);
  assert.deepEqual(twice, [], `docs/errors.md lists these reasons more than once: ${twice.join(', ')}`);
});

test('every UPPER_SNAKE literal in the hub is a raised reason or named as no reason', () => {
  const { raised, allLiterals } = raisedReasons();
  const unexplained = [...allLiterals]
    .filter(([literal]) => !raised.has(literal) && !NOT_REASONS.has(literal))
    .map(([literal, where]) => `${literal} (${where})`);
  assert.deepEqual(unexplained, [],
    'these literals are neither found as raised reasons nor listed in NOT_REASONS (tests/docs/reasons.test.mjs); ' +
    `if the hub answers one, teach the test where, and document it in docs/errors.md:\n  ${unexplained.join('\n  ')}`);
  const raisedButListed = [...NOT_REASONS.keys()].filter(literal => raised.has(literal));
  assert.deepEqual(raisedButListed, [], `NOT_REASONS names literals the hub raises: ${raisedButListed.join(', ')}`);
});
