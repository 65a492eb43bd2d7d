# Python workload for the allocation recorder: imports a spread of standard modules and does a
# little work with each (workloads/suite/record-all runs it with PYTHONMALLOC=malloc).
import collections, decimal, email.parser, fractions, http.client, json, re, statistics, textwrap
data = [{"id": i, "name": "n%d" % i, "v": [j * i for j in range(i % 7)]} for i in range(2000)]
text = json.dumps(data)
back = json.loads(text)
words = collections.Counter(re.findall(r"[a-z]+\d*", text))
msg = email.parser.Parser().parsestr("From: a@b\nSubject: hi\n\n" + textwrap.fill(text[:2000], 60))
print(len(back), len(words), msg["Subject"], statistics.mean(d["id"] for d in back),
      decimal.Decimal(1) / 7, fractions.Fraction(3, 9))
