package pyrt

import "testing"

// TestWalkDict: builtins that walk a dict (enumerate, zip, map, filter,
// iter, sum, any, all, min, max, sorted, reversed, str.join, set,
// frozenset, dict(pairs), dict.fromkeys, unpacking) see its keys as objects, in
// insertion order, as in CPython 3.11 (expected values from CPython).
func TestWalkDict(t *testing.T) {
	cases := []struct{ Code, Want string }{
		{`d = {1: 'a', 2: 'b', (1, 2): 't'}
r = [str(x) for x in enumerate(d)] + [str(x) for x in zip(d, "xyz")] + list(map(str, d))`, `["(0, 1)","(1, 2)","(2, (1, 2))","(1, 'x')","(2, 'y')","((1, 2), 'z')","1","2","(1, 2)"]`},
		{`d = {'b': 1, 'a': 2}
d['c'] = 3
r = [",".join(d), "".join(d), list(enumerate(d, 1)), list(iter(d)), next(iter(d)), list(reversed(d))]`, `["b,a,c","bac",[[1,"b"],[2,"a"],[3,"c"]],["b","a","c"],"b",["c","a","b"]]`},
		{`r = [sum({1: 0, 2: 0}), any({0: 1}), all({1: 0}), all({0: 1}), min({3: 0, 1: 0}), max({3: 0, 1: 0}), sum({True: 1, 2.5: 0})]`, `[3,false,true,false,1,3,3.5]`},
		{`d = {3: 'x', 1: 'y', (0, 1): 'z'}
r = [str(sorted(d, key=str)), str(sorted(d, key=str, reverse=True)), str(min(d, key=str)), str(max(d, key=lambda k: str(k)))]`, `["[(0, 1), 1, 3]","[3, 1, (0, 1)]","(0, 1)","3"]`},
		{`d = {'bb': 1, 'a': 2, 'cc': 3}
r = [sorted(d, key=len), min(d, key=len), max(d, key=len), sorted(d, key=len, reverse=True)]`, `[["a","bb","cc"],"a","bb",["bb","cc","a"]]`},
		{`r = [list(filter(None, {0: 1, 2: 3})), str(dict(zip({1: 0, (1, 2): 0}, "ab"))), str(dict(zip({1: 0, 2: 0}, {1: 0, 2: 0})))]`, `[[2],"{1: 'a', (1, 2): 'b'}","{1: 1, 2: 2}"]`},
		{`d = {1: 'a', (1, 2): 't'}
r = [str(tuple(d)), str(list(d)), str(sorted(set(d), key=str)), str(frozenset({1: 2})), str(list(map(lambda a, b: (a, b), d, d)))]`, `["(1, (1, 2))","[1, (1, 2)]","[(1, 2), 1]","frozenset({1})","[(1, 1), ((1, 2), (1, 2))]"]`},
		{`r = [str(dict.fromkeys([1, 2])), str(dict.fromkeys("ba", 0)), str(dict.fromkeys({(1, 2): 0, 3: 0}, []))]`, `["{1: None, 2: None}","{'b': 0, 'a': 0}","{(1, 2): [], 3: []}"]`},
		{`d = {'b': 1, 'a': 2}
r = [k + str(i) for i, k in enumerate(d)] + [a + b for a, b in zip(d, "xy")]`, `["b0","a1","bx","ay"]`},
		{`d = {1: 'a', (1, 2): 't'}
a, b = d
(c, *e) = {'y': 1, 'x': 2, 'w': 3}
def f(*args):
    return list(args)
r = [str(a), str(b), c, e, str(f(*d)), str(f(0, *{(3, 4): 1}))]`, `["1","(1, 2)","y",["x","w"],"[1, (1, 2)]","[0, (3, 4)]"]`},
	}
	cpythonCases(t, cases)
}

// TestSets: sets hold tuples, equal numbers are one item, and what
// cannot be in a set raises a TypeError that try/except catches, as in
// CPython 3.11 (expected values from CPython).
func TestSets(t *testing.T) {
	cases := []struct{ Code, Want string }{
		{`s = {(1, 2), (1, 2), (3, 4)}
r = [len(s), (1, 2) in s, (5, 6) in s, (1, 2) not in s, sorted(s), str(sorted(s))]`, `[2,true,false,false,[[1,2],[3,4]],"[(1, 2), (3, 4)]"]`},
		{`r = sorted({x for x in [(1, 2), (1, 2), (0, 1)]}) + sorted(set([(2, 0), (2, 0)])) + sorted(frozenset([(9,)]))`, `[[0,1],[1,2],[2,0],[9]]`},
		{`seen = set()
out = []
for p in [("a", 1), ("b", 2), ("a", 1)]:
    if p not in seen:
        seen.add(p)
        out.append(p)
seen.discard(("b", 2))
seen.remove(("a", 1))
r = [out, len(seen)]`, `[[["a",1],["b",2]],0]`},
		{`a = {(1, 2), (3, 4)}
b = {(3, 4), (5, 6)}
r = [sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b), sorted(a.union(b, [(7, 8)])), sorted(a.intersection(b)), sorted(a.difference(b)), sorted(a.symmetric_difference(b)), a.issubset(a | b), a.isdisjoint(b), a == {(3, 4), (1, 2)}]`, `[[[1,2],[3,4],[5,6]],[[3,4]],[[1,2]],[[1,2],[5,6]],[[1,2],[3,4],[5,6],[7,8]],[[3,4]],[[1,2]],[[1,2],[5,6]],true,false,true]`},
		{`r = [str({1, 1.0, True}), str({0, False, 0.0}), len({1, "1", None, True}), str({None, "a"} == {"a", None}), 1.0 in {1}, True in {1, 2}]`, `["{1}","{0}",3,"True",true,true]`},
		{`try:
    s = {(1, [2])}
    r = "no"
except TypeError as e:
    r = str(e)`, `"unhashable type: 'list'"`},
		{`try:
    s = {[1, 2]}
    r = "no"
except TypeError as e:
    r = str(e)`, `"unhashable type: 'list'"`},
		{`s = {(1, 2)}
c = s.copy()
c.add((3, 4))
s.update([(5, 6)], {(1, 2)})
r = [str(sorted(s)), str(sorted(c)), str(s.pop()), len(s)]`, `["[(1, 2), (5, 6)]","[(1, 2), (3, 4)]","(1, 2)",1]`},
		{`r = [str(frozenset()), str(frozenset([(1, 2)])), str(sorted(frozenset([3, 1]))), (1, 2) in frozenset([(1, 2)]), str(frozenset([1, 2]).union([3])), isinstance(frozenset(), frozenset)]`, `["frozenset()","frozenset({(1, 2)})","[1, 3]",true,"frozenset({1, 2, 3})",true]`},
		{`r = [repr({(1, 'a')}), str(list({(1, 2)})), str(tuple({(1, 2)})), [x for x in {(1, 2)}], str(set({(1, 2): 0}))]`, `["{(1, 'a')}","[(1, 2)]","((1, 2),)",[[1,2]],"{(1, 2)}"]`},
	}
	cpythonCases(t, cases)
}
