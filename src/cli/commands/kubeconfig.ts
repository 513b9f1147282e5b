import { chmod, readFile, writeFile } from 'node:fs/promises';
import { CliError, EXIT, usageError } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { LOGIN_HINT } from '../context.ts';
import { eprintln } from '../io.ts';
import { kubeconfigDocument } from '../kubeconfig.ts';
import { toYaml } from '../printers.ts';

export interface KubeconfigOptions {
  /** Write here (mode 0600) instead of standard output. */
  readonly file?: string;
  /** PEM file of the CA of an HTTPS server's certificate (default: NODE_EXTRA_CA_CERTS for an https server). */
  readonly certificateAuthority?: string;
  readonly namespace?: string;
  readonly contextName?: string;
}

/**
 * `polis kubeconfig`: a kubeconfig for the logged-in server and token, for kubectl and client libraries. It holds the
 * token, so a file it writes is readable by its owner only.
 */
export async function runKubeconfig(ctx: CliContext, opts: KubeconfigOptions): Promise<number> {
  const conn = await ctx.connection();
  if (!conn.server || !conn.token)
    throw new CliError(conn.server ? `no token for ${conn.server}` : 'not logged in', {
      exitCode: EXIT.denied,
      hint: LOGIN_HINT,
    });
  const https = conn.server.startsWith('https://');
  if (!https)
    eprintln(
      ctx.io,
      `note: ${conn.server} is plain http: kubectl sends no token over http; serve polis with --tls-cert and --tls-key`,
    );
  const caFile = opts.certificateAuthority ?? (https ? ctx.io.env.NODE_EXTRA_CA_CERTS || undefined : undefined);
  let caPem: string | undefined;
  if (caFile) {
    try {
      caPem = await readFile(caFile, 'utf8');
    } catch (e) {
      throw usageError(
        `cannot read the CA file ${caFile}: ${(e as Error).message}`,
        'pass --certificate-authority FILE (PEM)',
      );
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----'))
      throw usageError(
        `${caFile} holds no PEM certificate`,
        'pass the CA certificate that signed the server certificate',
      );
  }
  const text = toYaml(
    kubeconfigDocument({
      server: conn.server,
      token: conn.token,
      user: conn.user,
      namespace: opts.namespace ?? conn.tenant,
      caPem,
      name: opts.contextName,
    }),
  );
  if (!opts.file) {
    ctx.io.stdout.write(text);
    return EXIT.ok;
  }
  await writeFile(opts.file, text, { mode: 0o600 });
  await chmod(opts.file, 0o600);
  eprintln(ctx.io, `wrote ${opts.file}; use it with: KUBECONFIG=${opts.file} kubectl get applications`);
  return EXIT.ok;
}
