export * from './span.js';
export * from './errors.js';
export * from './did-you-mean.js';
export * from './duration.js';
export * from './version.js';
export * from './sleep.js';
export * from './secret-name.js';
export * from './safe-regex.js';
