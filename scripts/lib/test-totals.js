#!/usr/bin/env node
// Sums jest --json results (plus the non-jest checks) into the one line CI reads:
// "N passed, N failed". A suite that could not run, or a missing result file, counts as a failure.
// Usage: test-totals.js <checks passed> <checks failed> <jest result json>...
'use strict';
const fs = require('node:fs');

const [checksPassed, checksFailed, ...files] = process.argv.slice(2);
let passed = Number(checksPassed);
let failed = Number(checksFailed);
for (const file of files) {
  if (!fs.existsSync(file)) {
    console.error(`no jest results at ${file}`);
    failed += 1;
    continue;
  }
  const result = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests + result.numRuntimeErrorTestSuites;
  if (result.numTotalTests === 0) {
    console.error(`${file}: no test ran`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
