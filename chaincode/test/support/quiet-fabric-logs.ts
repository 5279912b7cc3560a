// fabric-contract-api logs every decorator at info level; its logger reads this variable on load,
// so this module must be imported before anything that loads fabric-contract-api.
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'WARNING';
