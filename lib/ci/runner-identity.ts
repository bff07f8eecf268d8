import { TerraformStack } from 'cdktf';
import { JwtAuthBackend } from '@cdktf/provider-vault/lib/jwt-auth-backend';
import { JwtAuthBackendRole } from '@cdktf/provider-vault/lib/jwt-auth-backend-role';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import { Construct } from 'constructs';
import { conflictingConfig, duplicate, missingConfig } from '../core/errors';
import { VaultPolicy } from '../core/grant';
import { validateHttpsUrl, validateMountPath, validateName, validateSeconds } from '../core/validation';
import { RunnerAccess } from './runner-access';

/** The issuer of GitHub Actions' OIDC tokens. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
/** Where GitHub Actions publishes the keys its OIDC tokens are signed with. */
export const GITHUB_ACTIONS_JWKS_URL = 'https://token.actions.githubusercontent.com/.well-known/jwks';

/** Names of the claims the roles bind, in the CI system's tokens. */
export interface RunnerClaims {
  /** The repository the workflow runs in ("owner/name"). */
  readonly repository: string;
  /** The git ref the workflow runs on ("refs/heads/main", "refs/pull/7/merge"). */
  readonly ref: string;
  /** The deployment environment of the job (absent when the job names none). */
  readonly environment: string;
  /** What started the workflow ("push", "pull_request", "pull_request_target", "workflow_dispatch"). */
  readonly eventName: string;
  /** The claim Vault names the identity after (`user_claim`). */
  readonly user: string;
}

/** GitHub Actions' claim names: the default. */
export const GITHUB_ACTIONS_CLAIMS: RunnerClaims = {
  repository: 'repository',
  ref: 'ref',
  environment: 'environment',
  eventName: 'event_name',
  user: 'sub',
};

/** Props of {@link RunnerIdentity}. */
export interface RunnerIdentityProps {
  /**
   * Mount path of the JWT auth method.
   * @default "ci-jwt"
   */
  readonly path?: string;
  /**
   * The issuer of the CI system's tokens (`bound_issuer`; a token from any other issuer is refused).
   * @default GITHUB_ACTIONS_ISSUER
   */
  readonly issuer?: string;
  /** The audience the CI system puts in its tokens (`aud`, what the workflow asks for); every role binds it. */
  readonly audience: string;
  /**
   * Where Vault fetches the CI system's signing keys. Exclusive with `validationPublicKeys`.
   * @default GITHUB_ACTIONS_JWKS_URL (when `validationPublicKeys` is not given)
   */
  readonly jwksUrl?: string;
  /**
   * PEM public keys the tokens are verified with (`jwt_validation_pubkeys`), for a CI system without a JWKS URL
   * Vault can reach. Public keys only. Exclusive with `jwksUrl`.
   * @default - none (the JWKS URL)
   */
  readonly validationPublicKeys?: readonly string[];
  /**
   * Signature algorithms accepted (`jwt_supported_algs`).
   * @default ["RS256"] (GitHub Actions' tokens)
   */
  readonly supportedAlgorithms?: readonly string[];
  /** The repository whose workflows may log in (the `repository` claim, "owner/name"). */
  readonly repository: string;
  /**
   * Claim names.
   * @default GITHUB_ACTIONS_CLAIMS
   */
  readonly claims?: RunnerClaims;
  /**
   * The protected branch that applies (the `ref` claim of the apply role).
   * @default "refs/heads/main"
   */
  readonly applyRef?: string;
  /**
   * Events that may apply (the `event_name` claim of the apply role). `pull_request_target` runs on the base
   * branch with pull-request code in reach: never list it.
   * @default ["push", "workflow_dispatch"]
   */
  readonly applyEvents?: readonly string[];
  /**
   * Lifetime of a plan role token, in seconds (also its maximum: it cannot be renewed beyond).
   * @default 900
   */
  readonly planTokenTtlSeconds?: number;
  /**
   * Lifetime of an apply role token, in seconds (also its maximum).
   * @default 1800
   */
  readonly applyTokenTtlSeconds?: number;
}

/** Options of {@link RunnerIdentity.addEnvironment}. */
export interface RunnerEnvironmentOptions {
  /**
   * Name of the roles and policies (`<name>-plan`, `<name>-apply`, `<name>-ci-plan`, ...).
   * @default - the stack's id
   */
  readonly name?: string;
  /**
   * The CI system's deployment environment whose jobs may apply (the `environment` claim of the apply role).
   * @default - the stack's id
   */
  readonly deploymentEnvironment?: string;
}

/** The two roles of one environment and what they hold. */
export interface RunnerEnvironment {
  /** Environment name: the prefix of its roles and policies (`<name>-plan`, `<name>-ci-plan`, ...). */
  readonly name: string;
  /** Login role for pull requests: reads only (`<name>-plan`). */
  readonly planRole: JwtAuthBackendRole;
  /** Login role for the protected branch and deployment environment (`<name>-apply`). */
  readonly applyRole: JwtAuthBackendRole;
  /** The plan role's policy (`<name>-ci-plan`): RunnerAccess.planRules. */
  readonly planPolicy: VaultPolicy;
  /** The apply role's policy (`<name>-ci-apply`): RunnerAccess.applyRules. */
  readonly applyPolicy: VaultPolicy;
  /** The apply role's sudo paths, each alone (absent when the stack writes none). */
  readonly applySudoPolicy?: Policy;
  /** The derived access the policies hold. */
  readonly access: RunnerAccess;
}

/**
 * The CI runner's own identity in Vault: a JWT auth method that trusts the CI system's OIDC tokens (no long-lived
 * Vault token is stored in the CI system) and, per environment stack, two roles:
 * - `<env>-plan`: any ref of the repository (pull requests); the stack's refresh reads only (RunnerAccess.planRules),
 *   no write, no sign, no rotate, no secret the stack does not manage; short TTL;
 * - `<env>-apply`: only the protected branch (`ref`), an event that is not a pull request, and the deployment
 *   environment named after the stack; the runner policy (RunnerAccess.applyRules) and its sudo paths.
 * Both policies are derived from the stack (see runner-access.ts). Apply the stack this construct is in once, as an
 * operator, with an administrator's token, and again when a policy changes (a new construct, a new mount, a bundle
 * key activation); the roles cannot change their own policies.
 *
 * The roles' tokens cannot create child tokens (a write): each environment stack must set `skipChildToken`.
 */
export class RunnerIdentity extends Construct {
  /** The JWT auth method (main resource). */
  public readonly backend: JwtAuthBackend;
  /** Mount path of the JWT auth method. Default: `ci-jwt`. */
  public readonly path: string;
  /** The audience every role binds. */
  public readonly audience: string;
  /** The repository whose workflows may log in ("owner/name"). */
  public readonly repository: string;
  /** Claim names the roles bind. Default: `GITHUB_ACTIONS_CLAIMS`. */
  public readonly claims: RunnerClaims;
  /** The git ref the apply roles bind. Default: `refs/heads/main`. */
  public readonly applyRef: string;
  /** Events the apply roles bind. Default: `push` and `workflow_dispatch`. */
  public readonly applyEvents: readonly string[];
  /** Lifetime (and maximum) of a plan role token, in seconds. Default: 900. */
  public readonly planTokenTtlSeconds: number;
  /** Lifetime (and maximum) of an apply role token, in seconds. Default: 1800. */
  public readonly applyTokenTtlSeconds: number;
  private readonly environments = new Map<string, RunnerEnvironment>();

  constructor(scope: Construct, id: string, props: RunnerIdentityProps) {
    super(scope, id);
    this.path = validateMountPath('JWT auth mount path', props.path ?? 'ci-jwt');
    const issuer = props.issuer ?? GITHUB_ACTIONS_ISSUER;
    if (!props.audience) {
      throw missingConfig(
        "The CI identity needs the audience of the CI system's tokens.",
        props.audience,
        'set audience to what the workflow requests (for example the Vault address, or "vault").',
      );
    }
    this.audience = props.audience;
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository ?? '')) {
      throw missingConfig(
        'The CI identity needs the repository whose workflows may log in, as "owner/name".',
        props.repository,
        'set repository: "my-org/platform-trust".',
      );
    }
    this.repository = props.repository;
    if (props.jwksUrl !== undefined && props.validationPublicKeys !== undefined) {
      throw conflictingConfig(
        'The CI identity takes its token signing keys from a JWKS URL or from public keys in code, not both.',
        { jwksUrl: props.jwksUrl, validationPublicKeys: props.validationPublicKeys.length },
        'keep jwksUrl (the CI system rotates its keys) or validationPublicKeys (a CI system Vault cannot reach).',
      );
    }
    for (const pem of props.validationPublicKeys ?? []) {
      if (!/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/.test(pem)) {
        throw conflictingConfig(
          'A validation key of the CI identity is not one PEM public key.',
          pem.slice(0, 40),
          'give each key as "-----BEGIN PUBLIC KEY-----" ... "-----END PUBLIC KEY-----" (public keys only).',
        );
      }
    }
    const jwksUrl =
      props.validationPublicKeys === undefined
        ? validateHttpsUrl('JWKS URL', props.jwksUrl ?? GITHUB_ACTIONS_JWKS_URL)
        : undefined;
    this.claims = props.claims ?? GITHUB_ACTIONS_CLAIMS;
    this.applyRef = props.applyRef ?? 'refs/heads/main';
    if (!this.applyRef.startsWith('refs/') || /[,*]/.test(this.applyRef)) {
      throw conflictingConfig(
        'The apply ref must be one full git ref.',
        this.applyRef,
        'give the protected branch as "refs/heads/<branch>" (no glob, no list).',
      );
    }
    this.applyEvents = props.applyEvents ?? ['push', 'workflow_dispatch'];
    const refused = this.applyEvents.filter((e) => e.startsWith('pull_request') || e.includes(','));
    if (this.applyEvents.length === 0 || refused.length > 0) {
      throw conflictingConfig(
        'The apply role may be bound only to events that are not pull requests.',
        this.applyEvents,
        'list events such as "push" and "workflow_dispatch"; a pull-request event (pull_request_target runs on the base branch) must plan with the plan role.',
      );
    }
    this.planTokenTtlSeconds = validateSeconds('planTokenTtlSeconds', props.planTokenTtlSeconds ?? 900, 60, 3600);
    this.applyTokenTtlSeconds = validateSeconds('applyTokenTtlSeconds', props.applyTokenTtlSeconds ?? 1800, 60, 7200);

    this.backend = new JwtAuthBackend(this, 'Backend', {
      path: this.path,
      type: 'jwt',
      description: `CI runner identity (${this.repository})`,
      boundIssuer: issuer,
      // Vault stores each key without its final newline: trimmed here, so a second plan shows no change.
      ...(jwksUrl !== undefined
        ? { jwksUrl }
        : { jwtValidationPubkeys: (props.validationPublicKeys ?? []).map((k) => k.trim()) }),
      jwtSupportedAlgs: [...(props.supportedAlgorithms ?? ['RS256'])],
    });
  }

  /**
   * Declares the plan and apply roles of one environment stack, with policies derived from it. Call it once the
   * stack is complete. The stack must set `skipChildToken` on its Vault provider.
   */
  public addEnvironment(stack: TerraformStack, options: RunnerEnvironmentOptions = {}): RunnerEnvironment {
    const name = validateName('CI environment name', options.name ?? stack.node.id, 'prod');
    if (this.environments.has(name)) {
      throw duplicate('CI environment name', name, 'declare each environment stack once, or give it another name.');
    }
    const access = RunnerAccess.of(stack);
    access.requireSkipChildToken();
    const deployment = options.deploymentEnvironment ?? stack.node.id;

    const planPolicy = new VaultPolicy(this, `${name}PlanPolicy`, { name: `${name}-ci-plan` });
    access.grantPlan(planPolicy);
    const applyPolicy = new VaultPolicy(this, `${name}ApplyPolicy`, { name: `${name}-ci-apply` });
    access.grantApply(applyPolicy);
    const sudoText = access.renderSudoPolicy();
    const sudoName = `${name}-ci-apply-sudo`;
    const applySudoPolicy = sudoText
      ? new Policy(this, `${name}ApplySudoPolicy`, { name: sudoName, policy: sudoText })
      : undefined;

    const c = this.claims;
    const role = (id: string, roleName: string, claims: Record<string, string>, policies: string[], ttl: number) =>
      new JwtAuthBackendRole(this, id, {
        backend: this.backend.path,
        roleName,
        roleType: 'jwt',
        userClaim: c.user,
        boundAudiences: [this.audience],
        boundClaimsType: 'string',
        boundClaims: claims,
        tokenPolicies: policies,
        tokenNoDefaultPolicy: true,
        tokenTtl: ttl,
        tokenMaxTtl: ttl,
        tokenExplicitMaxTtl: ttl,
      });
    const planRole = role(
      `${name}PlanRole`,
      `${name}-plan`,
      { [c.repository]: this.repository },
      [planPolicy.policyName],
      this.planTokenTtlSeconds,
    );
    const applyRole = role(
      `${name}ApplyRole`,
      `${name}-apply`,
      {
        [c.repository]: this.repository,
        [c.ref]: this.applyRef,
        [c.environment]: deployment,
        // The provider splits a comma-separated value into the list of accepted values.
        [c.eventName]: this.applyEvents.join(','),
      },
      [applyPolicy.policyName, ...(applySudoPolicy ? [sudoName] : [])],
      this.applyTokenTtlSeconds,
    );
    const env: RunnerEnvironment = { name, planRole, applyRole, planPolicy, applyPolicy, applySudoPolicy, access };
    this.environments.set(name, env);
    return env;
  }
}
