import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'cdktf.out/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['cdktf/lib/private/*', 'cdktf/lib/*/private/*'], message: 'Do not depend on cdktf internals.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['lib/node/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*', '../core/*', '../*', '!../kernel', '!../kernel/*'],
              message:
                'lib/node runs on nodes: it imports nothing from cdktf or the construct layers (lib/kernel only).',
            },
          ],
        },
      ],
    },
  },
  {
    // The same rule one folder down: private/ modules import their area as '../x' and the kernel as '../../kernel'.
    files: ['lib/node/private/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*', '../../*', '!../../kernel', '!../../kernel/*'],
              message:
                'lib/node runs on nodes: it imports nothing from cdktf or the construct layers (lib/kernel only).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/control-plane/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'cdktf',
                'cdktf/*',
                'constructs',
                '@cdktf/*',
                '../*',
                '!../kernel',
                '!../kernel/*',
                '!../node',
                '!../node/*',
              ],
              message:
                'lib/control-plane runs in the control plane: it imports nothing from cdktf or the construct layers (lib/node and lib/kernel only).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/kernel/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*', '../*'],
              message: 'lib/kernel is pure: it imports nothing from cdktf, lib/node or the construct layers.',
            },
          ],
        },
      ],
    },
  },
);
