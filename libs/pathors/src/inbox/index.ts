export { BullMqInbox, type BullMqInboxOptions } from './bullmq.inbox.js';
