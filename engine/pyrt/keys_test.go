package pyrt

import "testing"

// TestDictKeys: dicts with int, float, bool, None and tuple keys, against
// CPython 3.11 (returned events and json.dumps write keys as CPython's
// json does).
func TestDictKeys(t *testing.T) {
	cases := []struct{ Code, Want string }{
		{`d = {1: 'one', 2: 'two'}
r = d[1]`, `"one"`},
		{`d = {}
d[(1, 2)] = 'x'
r = d[(1, 2)]`, `"x"`},
		{`r = {1: 'one'}[1]`, `"one"`},
		{`counts = {}
for n in [3, 1, 3, 2, 3]:
    counts[n] = counts.get(n, 0) + 1
r = list(counts.items())`, `[[3,3],[1,1],[2,1]]`},
		{`counts = {}
for n in [3, 1, 3]:
    if n not in counts:
        counts[n] = 0
    counts[n] += 1
r = [list(counts.items()), 3 in counts, 4 in counts, len(counts)]`, `[[[3,2],[1,1]],true,false,2]`},
		{`d = {1: 'a', 2.5: 'b', True: 'c', None: 'd', 'k': 'e'}
r = [[k for k in d], list(d.items()), list(d.keys()), list(d.values()), len(d)]`, `[[1,2.5,null,"k"],[[1,"c"],[2.5,"b"],[null,"d"],["k","e"]],[1,2.5,null,"k"],["c","b","d","e"],4]`},
		{`d = {1: 'a', 2: 'b', 3: 'c'}
del d[2]
p = d.pop(3)
q = d.pop(9, 'none')
r = [d, p, q, sorted(d)]`, `[{"1":"a"},"c","none",[1]]`},
		{`import json
r = json.dumps({1: 'a', 2.5: 'b', True: 'c', False: 'x', None: 'd', 'k': 'e'})`, `"{\"1\": \"c\", \"2.5\": \"b\", \"false\": \"x\", \"null\": \"d\", \"k\": \"e\"}"`},
		{`import json
r = json.dumps({3: 'a', 1: 'b', 20: 'c'}, sort_keys=True)`, `"{\"1\": \"b\", \"3\": \"a\", \"20\": \"c\"}"`},
		{`d = {1: 'a'}
r = [d[1.0], d[True], 1.0 in d, {True: 1, 1: 2}, {1: 2, 1.0: 3}]`, `["a","a",true,{"true":2},{"1":3}]`},
		{`d = {(1, 'a'): 1, (2, 'b'): 2}
r = [[k[0] for k in d], d[(2, 'b')], (1, 'a') in d, repr(d), str({1: [None], (1,): 2})]`, `[[1,2],2,true,"{(1, 'a'): 1, (2, 'b'): 2}","{1: [None], (1,): 2}"]`},
		{`def f(event):
    by = {}
    for item in event['items']:
        by.setdefault(item['n'], []).append(item['v'])
    return by
r = f({'items': [{'n': 1, 'v': 'a'}, {'n': 2, 'v': 'b'}, {'n': 1, 'v': 'c'}]})`, `{"1":["a","c"],"2":["b"]}`},
		{`d = {n: n * n for n in range(4)}
r = [d, d[3], {v: k for k, v in d.items()}]`, `[{"0":0,"1":1,"2":4,"3":9},9,{"0":0,"1":1,"4":2,"9":3}]`},
		{`from collections import defaultdict
d = defaultdict(int)
for n in [1, 2, 1]:
    d[n] += 1
r = [dict(d), d[1], 2 in d]`, `[{"1":2,"2":1},2,true]`},
		{`d = dict([(1, 'a'), (2, 'b')])
d.update({3: 'c'})
r = [d, d.get(2), d.get(5, 'z'), d.setdefault(4, 'd'), d]`, `[{"1":"a","2":"b","3":"c","4":"d"},"b","z","d",{"1":"a","2":"b","3":"c","4":"d"}]`},
		{`l = [10, 20, 30]
i = 1
t = (1, 2)
s = 'abc'
r = [l[i], l[-1], t[0], s[1], l[True], {'a': 1}['a'], [[1, 2]][0][1]]`, `[20,30,1,"b",20,1,2]`},
		{`d = {}
try:
    d[[1]] = 2
    r = 'no'
except TypeError as e:
    r = str(e)`, `"unhashable type: 'list'"`},
		{`d = {1: 2}
try:
    r = d[5]
except KeyError as e:
    r = str(e)`, `"5"`},
		{`r = {}
r[1] = {2: 3}
r[1][2] += 4`, `{"1":{"2":7}}`},
		{`d = {'a': 1, 'b': 2}
del d['a']
l = [1, 2, 3]
del l[0]
m = {'k': [1]}
m['k'] += [2]
r = [d, l, m]`, `[{"b":2},[2,3],{"k":[1,2]}]`},
	}
	cpythonCases(t, cases)
}
