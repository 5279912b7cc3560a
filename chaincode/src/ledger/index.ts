export * from './keys';
export * from './json';
export * from './state';
export * from './iterators';
export * from './endorsement';
export * from './private';
export * from './events';
