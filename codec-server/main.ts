// `npm run codec-server`: the codec server (./server.ts) on the address and with the keys and token of its
// environment (./config.ts). SIGINT/SIGTERM stop it.
import { AesGcmPayloadCodec, PayloadKeysError } from '../common/payload-codec';
import { CodecConfigError, parseCodecServerConfig } from './config';
import { startCodecServer } from './server';

async function main(): Promise<void> {
  const config = parseCodecServerConfig(process.env);
  const keys = config.KYC_PAYLOAD_KEYS;
  const server = await startCodecServer({
    codec: new AesGcmPayloadCodec(keys),
    token: config.KYC_CODEC_SERVER_TOKEN,
    corsOrigin: config.KYC_CODEC_CORS_ORIGIN,
    port: config.KYC_CODEC_PORT,
    host: config.KYC_CODEC_HOST,
  });
  console.log(
    `kyc codec server on ${server.url} (${keys.length} key(s), encrypting with "${keys[0]!.id}"; CORS for ${config.KYC_CODEC_CORS_ORIGIN})`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log(`${signal}: stopping`);
  await server.close();
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      if (err instanceof CodecConfigError || err instanceof PayloadKeysError) console.error(err.message);
      else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
        console.error('KYC_CODEC_PORT is already in use: stop what holds it or set KYC_CODEC_PORT');
      else console.error(err);
      process.exit(1);
    },
  );
}
