import test from 'ava'
test('ts runs under ava', (t) => { const x: number = 1 + 1; t.is(x, 2) })
