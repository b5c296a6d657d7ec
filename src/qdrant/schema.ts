/**
 * The Qdrant REST types trident sends and reads, taken from the official client's generated
 * `Schemas` (type-only: erased at run time, so nothing here loads `@qdrant/js-client-rest`).
 * Request builders are typed with these, so a wrong field name or shape fails `tsc`.
 */
import type { Schemas } from '@qdrant/js-client-rest';

export type QFilter = Schemas['Filter'];
export type QCondition = Schemas['Condition'];
export type QCreateCollection = Schemas['CreateCollection'];
export type QVectorParams = Schemas['VectorParams'];
export type QSparseVectorParams = Schemas['SparseVectorParams'];
export type QPointStruct = Schemas['PointStruct'];
export type QPointsList = Schemas['PointsList'];
export type QPointIdsList = Schemas['PointIdsList'];
export type QQueryRequest = Schemas['QueryRequest'];
export type QQueryRequestBatch = Schemas['QueryRequestBatch'];
export type QPrefetch = Schemas['Prefetch'];
export type QScoredPoint = Schemas['ScoredPoint'];
export type QQueryResponse = Schemas['QueryResponse'];
export type QCollectionInfo = Schemas['CollectionInfo'];
export type QRecord = Schemas['Record'];
export type QPointRequest = Schemas['PointRequest'];
export type QSparseVector = Schemas['SparseVector'];
