import { expect, test } from 'vitest'
import { needsMoreInput } from '../../src-main/core/shell/parser.ts'

test.each([
  ['cat <<EOF > svc.yaml', true],
  ['cat <<EOF > svc.yaml\napiVersion: v1\n', true],
  ["cat <<'EOF' > svc.yaml\nkind: Service\nEOF", false],
  ['cat <<-EOF\n\tindented\n\tEOF', false],
  ["echo 'open", true],
  ['echo "open', true],
  ['echo $(hostname', true],
  ['ip route \\', true],
  ['ip route \\\nshow', false],
  ['echo done', false],
  ['echo ;;', false]
])('%j: bash asks for more (its `> ` prompt): %s', (line, more) => {
  expect(needsMoreInput(line)).toBe(more)
})
