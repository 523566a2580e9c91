/** stats/: live usage of running clones and of the host: domstats and node figures parsed, rates from two samples, the sampler that reads them in one round trip. */
export * from './domstats';
export * from './host';
export * from './rates';
export * from './sampler';
export * from './usageText';
