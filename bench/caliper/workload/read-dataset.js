'use strict';
/**
 * Caliper workload: ReadDataset (evaluate) through the peer gateway connector. Each worker registers
 * one dataset when the round starts and then reads it.
 */
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { createHash } = require('node:crypto');

class ReadDatasetWorkload extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        this.invoker = (roundArguments && roundArguments.invoker) || 'education-officer';
        this.id = `caliper-read-${Date.now().toString(36)}-w${workerIndex}`;
        const registration = {
            id: this.id,
            title: `Caliper read target ${this.id}`,
            description: 'Read by the Caliper ReadDataset round',
            classification: 'INTERNAL',
            fingerprint: createHash('sha256').update(this.id).digest('hex'),
        };
        const result = await this.sutAdapter.sendRequests({
            contractId: 'govshare',
            contractFunction: 'RegisterDataset',
            contractArguments: [JSON.stringify(registration)],
            invokerIdentity: this.invoker,
            readOnly: false,
        });
        if (!result.IsCommitted()) {
            throw new Error(`could not register ${this.id}: ${JSON.stringify(result.GetErrMsg ? result.GetErrMsg() : result)}`);
        }
    }

    async submitTransaction() {
        await this.sutAdapter.sendRequests({
            contractId: 'govshare',
            contractFunction: 'ReadDataset',
            contractArguments: [this.id],
            invokerIdentity: this.invoker,
            readOnly: true,
        });
    }
}

module.exports.createWorkloadModule = () => new ReadDatasetWorkload();
