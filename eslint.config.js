import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'src-renderer/src/lib/i18n/paraglide/**',
      '.electron-native/**',
      '.tmp/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    files: [
      'src-main/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.mjs',
      '*.config.ts',
      '*.config.js'
    ],
    languageOptions: { globals: { ...globals.node } }
  },
  {
    files: ['src-main/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error'
    }
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte', 'src-renderer/**/*.js'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] }
    }
  },
  {
    // The simulation core is pure: it runs the same in main, the web host, the CLI and tests.
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'core is pure: no Electron' },
            { name: 'better-sqlite3', message: 'core is pure: persistence lives in src-main/store' },
            { name: 'svelte', message: 'core is pure: no UI' },
            ...['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'net', 'url', 'util', 'process'].map(
              (name) => ({
                name,
                message: 'core is pure: no Node built-ins (inject what you need)'
              })
            )
          ],
          patterns: [
            { group: ['node:*'], message: 'core is pure: no Node built-ins (inject what you need)' },
            { group: ['svelte/*'], message: 'core is pure: no UI' }
          ]
        }
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'core is deterministic: time comes from the lab clock' },
        { name: 'setInterval', message: 'core is deterministic: time comes from the lab clock' },
        { name: 'process', message: 'core is pure: no process access' },
        { name: 'require', message: 'core is pure ESM' },
        { name: 'window', message: 'core runs outside browsers too' },
        { name: 'document', message: 'core runs outside browsers too' }
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core is deterministic: inject a clock' },
        { object: 'Math', property: 'random', message: 'core is deterministic: use the seeded generator' }
      ]
    }
  }
)
