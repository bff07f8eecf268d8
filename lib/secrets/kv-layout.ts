/**
 * The platform's KV v2 path layout, as a pure model (no constructs): which categories exist, what a
 * path in each looks like, and the checks every grant and seed runs before a policy rule is built.
 *
 * Layout (paths are relative to the KV mount; the KV v2 API prefixes `data/`, `metadata/`, ... are
 * added by the grant mapping, never written by callers):
 *
 * | category    | secret path                       | folder paths                          | holds |
 * | ----------- | --------------------------------- | ------------------------------------- | ----- |
 * | `registry`  | `registry/<robot>`                | `registry/`                           | registry robot credentials |
 * | `signing`   | `signing/<key>`                   | `signing/`                            | signing metadata only: custody, transit mount, key, active version |
 * | `apps`      | `apps/<app>/<secret>[/<more>...]` | `apps/`, `apps/<app>/`, deeper        | application secrets, owned by the app team |
 * | `operators` | `operators/<name>/<secret>[/...]` | `operators/`, `operators/<name>/`, deeper | operator secrets |
 * | `bootstrap` | `bootstrap/<name>`                | `bootstrap/`                          | signed node bootstrap bundles (public material) |
 *
 * A *secret path* names one secret and never ends with "/". A *folder path* ends with "/" and is what
 * `grantList` and subtree grants take (Vault appends "/" to every LIST request before checking policy,
 * so the list rule is written with the trailing slash).
 */
import { isToken } from '../core/validation';
import { invalidSecretPath, pathNotInLayout, secretPathOutsideMount } from './private/errors';

/** Operations a consumer can be granted on a KV v2 path. The API paths and capabilities are in one private table. */
export enum KvOperation {
  /** Read the current (or a given) version of a secret. */
  READ = 'read',
  /** Read a secret's metadata: versions, timestamps, custom metadata. Not part of READ. */
  READ_METADATA = 'read-metadata',
  /** Create and update a secret (a new version per write). */
  WRITE = 'write',
  /** List the keys of a folder. Folder paths only. */
  LIST = 'list',
  /** Soft-delete the latest or given versions (recoverable with UNDELETE). */
  DELETE = 'delete',
  /** Restore soft-deleted versions. */
  UNDELETE = 'undelete',
  /** Destroy versions permanently and delete the secret's metadata with all versions. */
  DESTROY = 'destroy',
}

/** Options of a KV grant. */
export interface KvGrantOptions {
  /**
   * Grant on every secret under a folder path (which must end with "/") through a trailing glob
   * (`<mount>/<api>/<folder>*`). Only when asked: a glob grants secrets that do not exist yet.
   * @default false
   */
  readonly subtree?: boolean;
}

/** Whether a category's secrets sit directly under it (`registry/<robot>`) or under an owner folder (`apps/<app>/...`). */
export enum CategoryShape {
  /** `<prefix>/<name>`: one level, no sub-folders. */
  FLAT = 'flat',
  /** `<prefix>/<owner>/<secret>[/...]`: an owner folder, then any depth. */
  OWNED = 'owned',
}

/** The documented categories of the platform KV layout. Fixed set: compare by identity. */
export class SecretCategory {
  /** Registry robot credentials: `registry/<robot>`. */
  public static readonly REGISTRY = new SecretCategory(
    'registry',
    CategoryShape.FLAT,
    'Registry robot credentials, one secret per robot account.',
  );
  /**
   * Signing metadata: `signing/<key>` records which custody, transit mount, key and active version sign.
   * Never private key material: the private key stays in Vault transit and cannot be seeded here.
   */
  public static readonly SIGNING = new SecretCategory(
    'signing',
    CategoryShape.FLAT,
    'Signing metadata only (custody, transit mount, key name, active version); never private key material.',
  );
  /** Application secrets owned by an app team: `apps/<app>/<secret>`. */
  public static readonly APPS = new SecretCategory(
    'apps',
    CategoryShape.OWNED,
    'Application secrets, owned by the app team.',
  );
  /** Operator secrets: `operators/<name>/<secret>`. */
  public static readonly OPERATORS = new SecretCategory('operators', CategoryShape.OWNED, 'Operator secrets.');

  /**
   * Node bootstrap bundles: `bootstrap/<name>` (BootstrapBundle publishes `bootstrap/bundle`). Signed
   * public trust material that the control plane serves to nodes; written by that construct, not seeded.
   */
  public static readonly BOOTSTRAP = new SecretCategory(
    'bootstrap',
    CategoryShape.FLAT,
    'Node bootstrap bundles (signed, public trust material) published by BootstrapBundle and served by the control plane.',
  );

  /** Every category, in documentation order. */
  public static readonly ALL: readonly SecretCategory[] = [
    SecretCategory.REGISTRY,
    SecretCategory.SIGNING,
    SecretCategory.APPS,
    SecretCategory.OPERATORS,
    SecretCategory.BOOTSTRAP,
  ];

  /** The category whose prefix is `prefix`, or undefined. */
  public static fromPrefix(prefix: string): SecretCategory | undefined {
    return SecretCategory.ALL.find((c) => c.prefix === prefix);
  }

  private constructor(
    /** First path segment, for example "apps". */
    public readonly prefix: string,
    /** Whether secrets sit directly under the prefix or under an owner folder. */
    public readonly shape: CategoryShape,
    /** What the category holds. */
    public readonly description: string,
  ) {}

  /** The category's folder path, for example "apps/" (what `grantList` takes to list its names). */
  public get folder(): string {
    return `${this.prefix}/`;
  }

  /** The category's prefix, for example "apps". */
  public toString(): string {
    return this.prefix;
  }
}

/** Typed builders for layout paths. Each validates what it builds. */
export class SecretPath {
  /** `registry/<robot>`: one robot account's credentials. */
  public static registry(robot: string): string {
    return checked([SecretCategory.REGISTRY.prefix, robot], PathKind.SECRET);
  }

  /** `signing/<key>`: metadata of one signing key (never the key itself). */
  public static signing(key: string): string {
    return checked([SecretCategory.SIGNING.prefix, key], PathKind.SECRET);
  }

  /** `apps/<app>/<secret>[/...]`: one secret of an application. */
  public static app(app: string, secret: string, ...more: string[]): string {
    return checked([SecretCategory.APPS.prefix, app, secret, ...more], PathKind.SECRET);
  }

  /** `apps/<app>/`: the folder holding an application's secrets (for `grantList` and subtree grants). */
  public static appFolder(app: string): string {
    return checked([SecretCategory.APPS.prefix, app], PathKind.FOLDER);
  }

  /** `operators/<name>/<secret>[/...]`: one secret of an operator. */
  public static operator(name: string, secret: string, ...more: string[]): string {
    return checked([SecretCategory.OPERATORS.prefix, name, secret, ...more], PathKind.SECRET);
  }

  /** `operators/<name>/`: the folder holding an operator's secrets. */
  public static operatorFolder(name: string): string {
    return checked([SecretCategory.OPERATORS.prefix, name], PathKind.FOLDER);
  }

  /** `<category>/`: the folder of a whole category. */
  public static folder(category: SecretCategory): string {
    return category.folder;
  }
}

/** What a path must name: one secret, or a folder (trailing "/"). */
export enum PathKind {
  /** One secret: no trailing "/". */
  SECRET = 'secret',
  /** A folder of secrets: a trailing "/". */
  FOLDER = 'folder',
}

/** A secret path that passed the layout checks. */
export interface ValidatedSecretPath {
  /** The path as given (relative to the mount). */
  readonly path: string;
  /** Its category, or undefined when the first segment is still a token. */
  readonly category?: SecretCategory;
  /** Secret or folder. */
  readonly kind: PathKind;
}

/** First segments that show the caller wrote a KV v2 API path instead of a logical one. */
const API_PREFIXES = ['data', 'metadata', 'delete', 'undelete', 'destroy', 'subkeys', 'config'];
/** A path segment: letters, digits, ".", "_" and "-", starting with a letter or digit. */
const SEGMENT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** An owner or robot name (second segment): the same rule as Vault object names in this library. */
const OWNER_RE = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;
/** Longest path accepted (Vault has no fixed limit; this keeps policy text reviewable). */
export const MAX_SECRET_PATH_LENGTH = 512;

/**
 * Checks a path relative to the KV mount `mountPath` against the layout and returns it with its category.
 * Segments that are unresolved tokens are skipped; literal parts (leading "/", "..", the trailing "/") are
 * always checked, so a token cannot hide an escape written around it.
 * @throws PlatformTrustError PT013 when the path would leave the mount, PT021 when it is malformed or outside the layout
 */
export function validateSecretPath(mountPath: string | undefined, path: string, kind: PathKind): ValidatedSecretPath {
  const mountName = mountPath ?? '<mount>';
  if (typeof path !== 'string') {
    throw invalidSecretPath(path, 'it is not a string', 'pass a string such as "apps/billing/db".');
  }
  if (path.length === 0) {
    throw invalidSecretPath(
      path,
      'it is empty',
      'name a secret such as "apps/billing/db" or a folder such as "apps/billing/".',
    );
  }
  if (path.startsWith('/')) {
    throw secretPathOutsideMount(
      path,
      mountName,
      'it starts with "/" (an absolute path)',
      fixWithout(path.replace(/^\/+/, '')),
    );
  }
  const segments = path.split('/');
  const isFolder = path.endsWith('/');
  const named = isFolder ? segments.slice(0, -1) : segments;
  if (named.some((s) => s === '..' || s === '.')) {
    throw secretPathOutsideMount(path, mountName, 'it contains a "." or ".." segment');
  }
  const first = named[0];
  const firstIsLiteral = !isToken(first);
  if (
    mountPath !== undefined &&
    !isToken(mountPath) &&
    firstIsLiteral &&
    SecretCategory.fromPrefix(first) === undefined &&
    (path === mountPath || path === `${mountPath}/` || path.startsWith(`${mountPath}/`))
  ) {
    throw secretPathOutsideMount(
      path,
      mountPath,
      'it starts with the mount path; grant paths are relative to the mount',
      fixWithout(path.slice(mountPath.length + 1)),
    );
  }
  if (path.length > MAX_SECRET_PATH_LENGTH && !isToken(path)) {
    throw invalidSecretPath(
      path,
      `it is ${path.length} characters long, the limit is ${MAX_SECRET_PATH_LENGTH}`,
      'use shorter names.',
    );
  }
  named.forEach((segment, i) => {
    if (segment.length === 0) {
      throw invalidSecretPath(path, 'it contains an empty segment ("//")', 'separate segments with a single "/".');
    }
    if (isToken(segment)) return;
    if (/[*+]/.test(segment)) {
      throw invalidSecretPath(
        path,
        'it contains a Vault policy wildcard ("*" or "+")',
        'name the secret, or pass its folder path ending in "/" with { subtree: true } to grant everything under it.',
      );
    }
    if (!SEGMENT_RE.test(segment)) {
      throw invalidSecretPath(
        path,
        `segment ${JSON.stringify(segment)} has characters other than letters, digits, ".", "_" and "-" (or does not start with a letter or digit)`,
        'rename the secret using letters, digits, ".", "_" and "-" only.',
      );
    }
    if (i === 0 && API_PREFIXES.includes(segment)) {
      throw invalidSecretPath(
        path,
        `it starts with "${segment}/", a KV v2 API prefix; grants add the API prefixes themselves`,
        `drop "${segment}/" and pass the logical path (for example "apps/billing/db").`,
      );
    }
  });

  let category: SecretCategory | undefined;
  if (firstIsLiteral) {
    category = SecretCategory.fromPrefix(first);
    if (!category)
      throw pathNotInLayout(
        path,
        SecretCategory.ALL.map((c) => c.prefix),
      );
  }

  if (kind === PathKind.FOLDER && !isFolder) {
    throw invalidSecretPath(
      path,
      'a folder path is required here (list and subtree grants act on a folder), but it does not end with "/"',
      `use ${JSON.stringify(`${path}/`)}; without the "/" a subtree grant would also match siblings that merely share the prefix.`,
    );
  }
  if (kind === PathKind.SECRET && isFolder) {
    throw invalidSecretPath(
      path,
      'it ends with "/", so it names a folder, not a secret',
      `name one secret (for example ${JSON.stringify(`${path}db`)}), or pass { subtree: true } to grant every secret under the folder.`,
    );
  }

  if (category) checkShape(path, category, named, kind);
  return { path, category, kind };
}

function checkShape(path: string, category: SecretCategory, named: string[], kind: PathKind): void {
  const owner = named[1];
  if (owner !== undefined && !isToken(owner) && !OWNER_RE.test(owner)) {
    throw invalidSecretPath(
      path,
      `the ${category.shape === CategoryShape.FLAT ? 'name' : 'owner'} segment ${JSON.stringify(owner)} must be lower-case letters, digits, "-" and "_", starting and ending with a letter or digit`,
      `use ${JSON.stringify(sanitizeOwner(owner))}.`,
    );
  }
  if (category.shape === CategoryShape.FLAT) {
    if (kind === PathKind.SECRET && named.length !== 2) {
      throw invalidSecretPath(
        path,
        `"${category.prefix}/" secrets sit directly under it: expected "${category.prefix}/<name>", got ${named.length} segments`,
        `use "${category.prefix}/<name>" (for example ${JSON.stringify(`${category.prefix}/${named[1] ?? 'name'}`)}).`,
      );
    }
    if (kind === PathKind.FOLDER && named.length !== 1) {
      throw invalidSecretPath(
        path,
        `"${category.prefix}/" has no sub-folders`,
        `use the category folder "${category.prefix}/", or name one secret "${category.prefix}/<name>".`,
      );
    }
    return;
  }
  if (kind === PathKind.SECRET && named.length < 3) {
    throw invalidSecretPath(
      path,
      `"${category.prefix}/" secrets sit under an owner folder: expected "${category.prefix}/<owner>/<secret>"`,
      `add the owner and the secret name (for example ${JSON.stringify(`${category.prefix}/${named[1] ?? 'owner'}/db`)}).`,
    );
  }
}

function sanitizeOwner(owner: string): string {
  const s = owner
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return s.length > 0 ? s : 'owner';
}

function fixWithout(rest: string): string {
  return rest.length > 0
    ? `use ${JSON.stringify(rest)}: paths are relative to the mount and never start with "/" or the mount path.`
    : 'pass a path relative to the mount, such as "apps/billing/db".';
}

function checked(parts: readonly string[], kind: PathKind): string {
  if (parts.some((p) => typeof p !== 'string' || p.length === 0)) {
    throw invalidSecretPath(parts.join('/'), 'a name passed to SecretPath is empty', 'pass non-empty names.');
  }
  const path = `${parts.join('/')}${kind === PathKind.FOLDER ? '/' : ''}`;
  // The builders know no mount; the mount-prefix check runs again when the path is granted.
  return validateSecretPath(undefined, path, kind).path;
}
