// @tus/server with @tus/s3-store on the bench's SeaweedFS: the peer intake is measured
// against (make bench-peers). Configured by the environment the bench sets:
//   PEER_PORT, S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, PART_SIZE
import http from "node:http";
import { Server } from "@tus/server";
import { S3Store } from "@tus/s3-store";

const store = new S3Store({
  partSize: Number(process.env.PART_SIZE || 8 * 1024 * 1024),
  useTags: false,
  s3ClientConfig: {
    endpoint: process.env.S3_ENDPOINT,
    forcePathStyle: true,
    region: "us-east-1",
    bucket: process.env.S3_BUCKET,
    credentials: {
      accessKeyId: process.env.S3_ACCESS_KEY_ID,
      secretAccessKey: process.env.S3_SECRET_ACCESS_KEY,
    },
  },
});
const tus = new Server({ path: "/files", datastore: store });
const server = http.createServer((req, res) => tus.handle(req, res));
server.listen(Number(process.env.PEER_PORT), "127.0.0.1", () => {
  console.log(`tus peer on http://127.0.0.1:${process.env.PEER_PORT}/files`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
