export {
  addPathorsWebhooksToDocument,
  pathorsDocumentedEvents,
  pathorsEventSchemas,
  type PathorsDocumentedEvent,
  type PathorsOpenApiOptions,
} from './pathors-openapi.util.js';
