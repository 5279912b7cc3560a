// Jest's testTimeout is a global option, not a per-project one: integration tests talk to a real
// network (commit waits, chaincode launch), so their project raises the limit here.
jest.setTimeout(120_000);
