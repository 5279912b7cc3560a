export * from './keys';
export * from './json';
export * from './state';
export * from './iterators';
