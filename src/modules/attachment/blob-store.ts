import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../core/config.js';

/** Where bytes go when they do not stay in PostgreSQL. Keys are `<committee id>/<sha256>`. */
export interface ObjectStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer>;
}

/** An S3-compatible store (AWS S3, MinIO, Ceph RGW, OSS/COS in S3 mode) through @aws-sdk/client-s3. */
export function s3Store(c: NonNullable<Config['s3']>): ObjectStore {
  const client = new S3Client({
    region: c.region,
    endpoint: c.endpoint,
    forcePathStyle: c.forcePathStyle,
    credentials: c.accessKeyId && c.secretAccessKey ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } : undefined,
    // Checksums only where the operation requires them: several S3-compatible servers refuse the newer
    // default trailers; the content's SHA-256 is checked by its key anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    async put(key, bytes, contentType) {
      await client.send(new PutObjectCommand({ Bucket: c.bucket, Key: key, Body: bytes, ContentType: contentType, ContentLength: bytes.length }));
    },
    async get(key) {
      const r = await client.send(new GetObjectCommand({ Bucket: c.bucket, Key: key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    },
  };
}

let configured: { config: Config; store: ObjectStore | null } | undefined;
/** The object store of a configuration (null: PostgreSQL keeps the bytes), made once. */
export function objectStoreOf(config: Config): ObjectStore | null {
  if (configured?.config === config) return configured.store;
  if (config.attachmentStore === 's3' && !config.s3) throw new Error('ATTACHMENT_STORE=s3 needs S3_BUCKET');
  const store = config.attachmentStore === 's3' ? s3Store(config.s3!) : null;
  configured = { config, store };
  return store;
}
