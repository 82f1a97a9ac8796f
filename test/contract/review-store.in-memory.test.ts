import { InMemoryReviewStore } from '../doubles/in-memory-review-store.js';
import { describeReviewStoreContract } from './review-store.contract.js';

describeReviewStoreContract('InMemoryReviewStore', () =>
  Promise.resolve(new InMemoryReviewStore()),
);
