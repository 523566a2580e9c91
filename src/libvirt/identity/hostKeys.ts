/**
 * SSH host keys made on this host for a clone: an ed25519 key pair, written as OpenSSH's private key file (for sshd)
 * and as dropbear's (string "ssh-ed25519", string seed||public: 83 bytes, which dropbear reads without conversion),
 * with its public line and SHA256 fingerprint. Node's crypto makes the key: no process per clone.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';

export interface HostKeyPair {
  readonly type: 'ssh-ed25519';
  /** The public key's base64 blob (as in known_hosts). */
  readonly publicKey: string;
  /** "ssh-ed25519 AAAA... comment" (the .pub file). */
  readonly publicLine: string;
  /** SHA256:... as ssh-keygen -l prints it. */
  readonly fingerprint: string;
  /** OpenSSH private key file (-----BEGIN OPENSSH PRIVATE KEY-----). */
  readonly openssh: Buffer;
  /** dropbear's private key file. */
  readonly dropbear: Buffer;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (b: Buffer | string) => {
  const x = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([u32(x.length), x]);
};

/** SHA256 fingerprint of a public key blob, as OpenSSH prints it. */
export function sshFingerprint(publicKeyBase64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** The OpenSSH private key file of an ed25519 key (unencrypted, as ssh-keygen -N '' writes it). */
function opensshPrivate(seed: Buffer, pub: Buffer, comment: string): Buffer {
  const type = 'ssh-ed25519';
  const check = randomBytes(4);
  let priv = Buffer.concat([check, check, str(type), str(pub), str(Buffer.concat([seed, pub])), str(comment)]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), str('none'), str('none'), str(''), u32(1), str(Buffer.concat([str(type), str(pub)])), str(priv)]);
  const b64 = body.toString('base64').replace(/.{70}/g, '$&\n').replace(/\n$/, '');
  return Buffer.from(`-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`);
}

/** A new ed25519 host key; `comment` goes into the public line and the OpenSSH file (e.g. root@hostname). */
export function newHostKey(comment: string): HostKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  const publicKey = Buffer.concat([str('ssh-ed25519'), str(pub)]).toString('base64');
  return {
    type: 'ssh-ed25519',
    publicKey,
    publicLine: `ssh-ed25519 ${publicKey} ${comment}`,
    fingerprint: sshFingerprint(publicKey),
    openssh: opensshPrivate(seed, pub, comment),
    dropbear: Buffer.concat([str('ssh-ed25519'), str(Buffer.concat([seed, pub]))]),
  };
}

/** A new machine-id: 32 lowercase hex digits, not all zero (systemd's format, a random v4 UUID's bits). */
export function newMachineId(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b.toString('hex');
}
