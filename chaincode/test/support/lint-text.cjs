// Runs ESLint's Node API (new ESLint + lintText) in a plain Node process: ESLint loads the flat
// config with a dynamic import(), which Jest's module sandbox refuses without --experimental-vm-modules.
// stdin: {"cwd": string, "samples": [{"code": string, "filePath": string}]}
// stdout: one array of rule ids (or "fatal: <message>") per sample.
'use strict';
const { ESLint } = require('eslint');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', async () => {
  const { cwd, samples } = JSON.parse(input);
  const eslint = new ESLint({ cwd });
  const out = [];
  for (const { code, filePath } of samples) {
    const [result] = await eslint.lintText(code, { filePath });
    out.push(result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`));
  }
  process.stdout.write(JSON.stringify(out));
});
