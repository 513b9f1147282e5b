import type { Engine, Granted } from './provisioners/index.ts';

/** The name of a binding's credentials Secret, in the polis store and in every cluster the application runs on. */
export function bindingSecretName(binding: string): string {
  return `binding-${binding}`.slice(0, 63).replace(/-+$/, '');
}

/** `portal-db` → `PORTAL_DB`: the default prefix of a binding's environment variables. */
export function defaultEnvPrefix(binding: string): string {
  return (
    binding
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^[^A-Z]+/, '')
      .slice(0, 31) || 'SERVICE'
  );
}

const SCHEME: Record<Engine, string> = {
  postgresql: 'postgresql',
  mysql: 'mysql',
  redis: 'redis',
  rabbitmq: 'amqp',
  kafka: 'kafka',
  minio: 'http',
};

/**
 * The variables a bound application receives (service-binding conventions, as Spring Cloud Bindings and the
 * servicebinding.io `type`/`host`/`port`/`username`/`password`/`database`/`uri` keys, upper-cased under a prefix):
 * `<P>_TYPE, _HOST, _PORT, _USERNAME, _PASSWORD, _URI`, and `_DATABASE` or `_PREFIX` as the engine grants.
 */
export function bindingVariables(
  prefix: string,
  engine: Engine,
  host: string,
  port: number,
  granted: Granted,
  password: string,
): Record<string, string> {
  const user = encodeURIComponent(granted.username);
  const pass = encodeURIComponent(password);
  const path = granted.database ? `/${encodeURIComponent(granted.database)}` : '';
  const vars: Record<string, string> = {
    [`${prefix}_TYPE`]: engine,
    [`${prefix}_HOST`]: host,
    [`${prefix}_PORT`]: String(port),
    [`${prefix}_USERNAME`]: granted.username,
    [`${prefix}_PASSWORD`]: password,
    [`${prefix}_URI`]: `${SCHEME[engine]}://${user}:${pass}@${host}:${port}${path}`,
  };
  if (granted.database) vars[`${prefix}_DATABASE`] = granted.database;
  if (granted.prefix) vars[`${prefix}_PREFIX`] = granted.prefix;
  return vars;
}
