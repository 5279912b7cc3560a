'use strict';
/**
 * Caliper workload: RegisterDataset (submit) through the peer gateway connector, one new dataset per
 * transaction. Ids are unique per run and worker: `caliper-<run>-w<worker>-<n>`.
 */
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { createHash } = require('node:crypto');

class RegisterDatasetWorkload extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        this.prefix = `caliper-${Date.now().toString(36)}-r${roundIndex}-w${workerIndex}`;
        this.sequence = 0;
        this.invoker = (roundArguments && roundArguments.invoker) || 'education-officer';
    }

    async submitTransaction() {
        this.sequence += 1;
        const id = `${this.prefix}-${this.sequence}`;
        const registration = {
            id,
            title: `Caliper dataset ${id}`,
            description: 'Synthetic catalogue entry written by the Caliper workload',
            classification: 'INTERNAL',
            fingerprint: createHash('sha256').update(id).digest('hex'),
            themes: ['caliper'],
        };
        await this.sutAdapter.sendRequests({
            contractId: 'govshare',
            contractFunction: 'RegisterDataset',
            contractArguments: [JSON.stringify(registration)],
            invokerIdentity: this.invoker,
            readOnly: false,
        });
    }
}

module.exports.createWorkloadModule = () => new RegisterDatasetWorkload();
