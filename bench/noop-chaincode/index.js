'use strict';
// The baseline for benchmarks P2/P3: the cheapest chaincode transaction there is, one putState.
// Deployed beside govshare with: scripts/deploy-chaincode.sh --name benchnoop --source bench/noop-chaincode
const { Contract } = require('fabric-contract-api');

class NoopContract extends Contract {
  constructor() {
    super('noop');
  }

  async Put(ctx, key, value) {
    await ctx.stub.putState(key, Buffer.from(value));
    return value;
  }

  async Get(ctx, key) {
    return Buffer.from(await ctx.stub.getState(key)).toString();
  }
}

module.exports.contracts = [NoopContract];
