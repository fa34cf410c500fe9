import { DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PageFile, StatusPagePublisher } from '../domain/status-pages/ports';

/**
 * Readers may see a page this much older than its last render: short, since the page matters most while
 * things change, and long enough that the CDN, not the bucket, answers the crowd of an outage.
 */
export const STATUS_PAGE_CACHE_CONTROL = 'public, max-age=15, stale-if-error=86400';

/** Rendered pages as objects of the status page bucket, under their path (`<page>/`), as the CDN serves them. */
export class S3StatusPagePublisher implements StatusPagePublisher {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async publish(path: string, files: readonly PageFile[]): Promise<void> {
    // The HTML last: it links to the others, which are then there.
    const ordered = [...files.filter((f) => f.path !== 'index.html'), ...files.filter((f) => f.path === 'index.html')];
    for (const file of ordered) {
      await this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: `${path}/${file.path}`, Body: file.body, ContentType: file.contentType, CacheControl: STATUS_PAGE_CACHE_CONTROL }),
      );
    }
  }

  async withdraw(path: string, files: readonly string[]): Promise<void> {
    await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: files.map((file) => ({ Key: `${path}/${file}` })), Quiet: true } }));
  }
}
