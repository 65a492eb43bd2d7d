/*
** bf_opts.cpp: the C API of bf_opts.h over Boost.Program_Options. This is the only C++ in sim/.
**
** What it does: turns a command's argv into named values, and an INI file into dotted keys with
** their file and line, using Program_Options for the syntax so that bfsim accepts exactly what
** Program_Options users expect.
**
** Assumptions:
**   1. Option declarations are few (tens), so the Program_Options description is rebuilt from our
**      own declaration list whenever it is needed (parse, help) instead of being kept in sync.
**   2. Config files are small (a few hundred lines): each is read whole into memory.
**
** Algorithm.
**   Command line: build an options_description from the declarations, run command_line_parser
**   (unix style without abbreviation guessing) with the positional map, and walk the parsed
**   options ourselves, in order, into name -> values lists. We check "given twice" and the
**   allowed choices ourselves so that every message has one shape.
**   INI: Program_Options' parse_config_file reports no line numbers, so the text is split into
**   lines here; we track the current [section], and hand each key line, preceded by its
**   section header, to parse_config_file (allow_unregistered) on a small stream. Program_Options
**   thus does the key syntax (comment stripping, trimming, section prefixing) and we know the
**   line. Quoted values are cut out before that because Program_Options strips a '#' comment
**   even inside quotes.
**
** Invariant: no C++ exception leaves an extern "C" function: each one catches everything and
** returns a bf_rc (BF_ENOMEM for std::bad_alloc).
*/
#include "bf_opts.h"

#include "bf_common.h"

#include <boost/program_options.hpp>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <map>
#include <new>
#include <sstream>
#include <string>
#include <vector>

namespace po = boost::program_options;

namespace
{

struct opt_decl {
    std::string lname; /* long name, the query key */
    std::string sname; /* one-letter short name or empty */
    int type;          /* BF_OPT_* */
    bool has_def;
    std::string def;
    std::string help;
    std::vector<std::string> choices; /* empty: any value */
    std::string choices_text;         /* "a|b|c" as given */
    bool hidden;                      /* positional-only, not in the help table */
};

/* snprintf into err when there is room; messages are truncated, never overflowed. */
void set_err(char *err, size_t errn, const char *fmt, ...)
{
    if (!err || errn == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errn, fmt, ap);
    va_end(ap);
}

bool valid_long_name(const std::string &s)
{
    if (s.empty() || s[0] == '-')
        return false;
    for (char c : s)
        if (!(isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.'))
            return false;
    return true;
}

const char *const k_ws = " \t\r\n\f\v";

std::string trim(const std::string &s)
{
    size_t b = s.find_first_not_of(k_ws);
    if (b == std::string::npos)
        return std::string();
    size_t e = s.find_last_not_of(k_ws);
    return s.substr(b, e - b + 1);
}

/* A line shown inside a message: trimmed to a readable length. */
std::string shown(const std::string &s)
{
    return s.size() <= 60 ? s : s.substr(0, 57) + "...";
}

} // namespace

struct bf_opts {
    std::string command, synopsis, description, examples;
    std::vector<opt_decl> decls;
    std::vector<std::pair<std::string, int>> positionals;
    bool parsed = false;
    std::map<std::string, std::vector<std::string>> given; /* long name -> values in order */

    const opt_decl *find(const char *name) const
    {
        if (!name)
            return nullptr;
        for (const opt_decl &d : decls)
            if (d.lname == name)
                return &d;
        return nullptr;
    }

    /* Is the word w an option of this command ("--json", "--trace=x", "-t")? */
    bool names_option(const std::string &w) const
    {
        if (w.size() > 2 && w[0] == '-' && w[1] == '-') {
            std::string n =
                w.substr(2, w.find('=') == std::string::npos ? std::string::npos : w.find('=') - 2);
            return find(n.c_str()) != nullptr;
        }
        if (w.size() >= 2 && w[0] == '-' && w[1] != '-') {
            for (const opt_decl &d : decls)
                if (!d.sname.empty() && d.sname[0] == w[1])
                    return true;
        }
        return false;
    }

    /* The Program_Options description: all options (for parsing) or the visible ones with
    ** their defaults shown (for the help). */
    po::options_description build(bool for_help) const
    {
        po::options_description desc(for_help ? "Options" : "");
        for (const opt_decl &d : decls) {
            if (for_help && d.hidden)
                continue;
            std::string spec = d.sname.empty() ? d.lname : d.lname + "," + d.sname;
            std::string help = d.help;
            if (for_help && !d.choices_text.empty())
                help += " (" + d.choices_text + ")";
            switch (d.type) {
            case BF_OPT_FLAG:
                desc.add_options()(spec.c_str(), help.c_str());
                break;
            case BF_OPT_STRING: {
                po::typed_value<std::string> *v = po::value<std::string>();
                if (for_help && d.has_def)
                    v->default_value(d.def);
                desc.add_options()(spec.c_str(), v, help.c_str());
                break;
            }
            default: {
                po::typed_value<std::vector<std::string>> *v =
                    po::value<std::vector<std::string>>()->multitoken();
                if (for_help && d.has_def)
                    v->default_value(std::vector<std::string>(1, d.def), d.def);
                desc.add_options()(spec.c_str(), v, help.c_str());
                break;
            }
            }
        }
        return desc;
    }
};

extern "C" bf_opts *bf_opts_new(const char *command, const char *synopsis, const char *description,
                                const char *examples)
{
    try {
        bf_opts *o = new bf_opts;
        o->command = command ? command : "";
        o->synopsis = synopsis ? synopsis : "";
        o->description = description ? description : "";
        o->examples = examples ? examples : "";
        opt_decl h{"help", "h", BF_OPT_FLAG, false, "", "show this help and exit", {}, "", false};
        o->decls.push_back(h);
        return o;
    } catch (...) {
        return nullptr;
    }
}

extern "C" int bf_opts_add(bf_opts *o, const char *name, int type, const char *default_value,
                           const char *help)
{
    if (!o || !name)
        return BF_ECONFIG;
    if (o->parsed)
        return BF_ESTATE;
    try {
        opt_decl d;
        std::string n(name);
        size_t comma = n.find(',');
        d.lname = n.substr(0, comma);
        if (comma != std::string::npos)
            d.sname = n.substr(comma + 1);
        if (!valid_long_name(d.lname) || (comma != std::string::npos && d.sname.size() != 1) ||
            (!d.sname.empty() && !isalnum((unsigned char)d.sname[0])))
            return BF_ECONFIG;
        if (type != BF_OPT_FLAG && type != BF_OPT_STRING && type != BF_OPT_MULTI)
            return BF_ECONFIG;
        if (type == BF_OPT_FLAG && default_value)
            return BF_ECONFIG;
        for (const opt_decl &e : o->decls)
            if (e.lname == d.lname || (!d.sname.empty() && e.sname == d.sname))
                return BF_ECONFIG;
        d.type = type;
        d.has_def = default_value != nullptr;
        d.def = default_value ? default_value : "";
        d.help = help ? help : "";
        d.hidden = false;
        o->decls.push_back(d);
        return BF_OK;
    } catch (const std::bad_alloc &) {
        return BF_ENOMEM;
    } catch (...) {
        return BF_ECONFIG;
    }
}

extern "C" int bf_opts_choices(bf_opts *o, const char *name, const char *choices)
{
    if (!o || !name || !choices || !*choices)
        return BF_ECONFIG;
    if (o->parsed)
        return BF_ESTATE;
    try {
        opt_decl *d = const_cast<opt_decl *>(o->find(name));
        if (!d || d->type == BF_OPT_FLAG)
            return BF_ECONFIG;
        d->choices.clear();
        d->choices_text = choices;
        std::string c(choices);
        size_t start = 0;
        for (;;) {
            size_t bar = c.find('|', start);
            d->choices.push_back(c.substr(start, bar == std::string::npos ? bar : bar - start));
            if (bar == std::string::npos)
                break;
            start = bar + 1;
        }
        return BF_OK;
    } catch (const std::bad_alloc &) {
        return BF_ENOMEM;
    } catch (...) {
        return BF_ECONFIG;
    }
}

extern "C" int bf_opts_positional(bf_opts *o, const char *name, int max_count)
{
    if (!o || !name || max_count == 0 || max_count < -1)
        return BF_ECONFIG;
    if (o->parsed)
        return BF_ESTATE;
    try {
        for (const auto &p : o->positionals)
            if (p.first == name || p.second == -1)
                return BF_ECONFIG; /* nothing can follow an unlimited positional */
        const opt_decl *d = o->find(name);
        if (d && d->type == BF_OPT_FLAG)
            return BF_ECONFIG;
        if (!d) {
            if (!valid_long_name(name))
                return BF_ECONFIG;
            opt_decl h{name, "", BF_OPT_MULTI, false, "", "", {}, "", true};
            o->decls.push_back(h);
        }
        o->positionals.emplace_back(name, max_count);
        return BF_OK;
    } catch (const std::bad_alloc &) {
        return BF_ENOMEM;
    } catch (...) {
        return BF_ECONFIG;
    }
}

/* "--trace" for messages, from a Program_Options error or our declaration. */
static std::string dashed(const std::string &n)
{
    if (n.empty() || n[0] == '-')
        return n;
    return "--" + n;
}

extern "C" int bf_opts_parse(bf_opts *o, int argc, char **argv, char *err, size_t errn)
{
    if (!o || argc < 0 || (argc > 0 && !argv))
        return BF_EINPUT;
    if (o->parsed)
        return BF_ESTATE;
    o->parsed = true;
    const char *cmd = o->command.c_str();
    std::vector<std::string> args; /* argv[1..]: argv[0] is the command word */
    try {
        for (int i = 1; i < argc; i++)
            args.push_back(argv[i] ? argv[i] : "");
        po::options_description desc = o->build(false);
        po::positional_options_description pos;
        for (const auto &p : o->positionals)
            pos.add(p.first.c_str(), p.second);
        int style = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;
        po::parsed_options parsed =
            po::command_line_parser(args).options(desc).positional(pos).style(style).run();
        for (const po::option &opt : parsed.options) {
            const opt_decl *d = o->find(opt.string_key.c_str());
            if (!d) { /* cannot happen: unregistered options are refused by the parser */
                set_err(err, errn, "bfsim %s: unknown option '%s'", cmd, opt.string_key.c_str());
                o->given.clear();
                return BF_EINPUT;
            }
            std::vector<std::string> &vals = o->given[d->lname];
            if (d->type == BF_OPT_FLAG) {
                if (vals.empty())
                    vals.push_back("1");
                continue;
            }
            if (d->type == BF_OPT_STRING && !vals.empty()) {
                set_err(err, errn, "bfsim %s: --%s given more than once", cmd, d->lname.c_str());
                o->given.clear();
                return BF_EINPUT;
            }
            for (const std::string &v : opt.value) {
                /* "--trace --json": Program_Options 1.74 takes "--json" as the file name. A
                ** value given as a separate word that names a declared option is refused. */
                if (opt.position_key < 0 && opt.original_tokens.size() > 1 && o->names_option(v)) {
                    set_err(err, errn, "bfsim %s: missing value for --%s", cmd, d->lname.c_str());
                    o->given.clear();
                    return BF_EINPUT;
                }
                if (!d->choices.empty()) {
                    bool ok = false;
                    for (const std::string &c : d->choices)
                        ok = ok || c == v;
                    if (!ok) {
                        set_err(err, errn, "bfsim %s: --%s: invalid value '%s' (expected %s)", cmd,
                                d->lname.c_str(), v.c_str(), d->choices_text.c_str());
                        o->given.clear();
                        return BF_EINPUT;
                    }
                }
                vals.push_back(v);
            }
        }
        return o->given.count("help") ? 1 : BF_OK;
    } catch (const po::unknown_option &e) {
        set_err(err, errn, "bfsim %s: unknown option '%s'", cmd, e.get_option_name().c_str());
    } catch (const po::invalid_command_line_syntax &e) {
        std::string n = dashed(e.get_option_name());
        switch (e.kind()) {
        case po::invalid_syntax::missing_parameter:
        case po::invalid_syntax::empty_adjacent_parameter:
            set_err(err, errn, "bfsim %s: missing value for %s", cmd, n.c_str());
            break;
        case po::invalid_syntax::extra_parameter:
            set_err(err, errn, "bfsim %s: %s takes no value", cmd, n.c_str());
            break;
        default:
            set_err(err, errn, "bfsim %s: %s", cmd, e.what());
            break;
        }
    } catch (const po::too_many_positional_options_error &) {
        /* Program_Options does not say which word; the first word past the allowed count is it. */
        size_t allowed = 0;
        bool unlimited = false;
        for (const auto &p : o->positionals) {
            if (p.second < 0)
                unlimited = true;
            else
                allowed += (size_t)p.second;
        }
        std::string extra;
        if (!unlimited) {
            try {
                po::options_description desc = o->build(false);
                std::vector<std::string> words =
                    po::collect_unrecognized(po::command_line_parser(args)
                                                 .options(desc)
                                                 .style(po::command_line_style::unix_style &
                                                        ~po::command_line_style::allow_guessing)
                                                 .run()
                                                 .options,
                                             po::include_positional);
                if (words.size() > allowed)
                    extra = words[allowed];
            } catch (...) {
            }
        }
        if (extra.empty())
            set_err(err, errn, "bfsim %s: too many arguments", cmd);
        else
            set_err(err, errn, "bfsim %s: unexpected argument '%s'", cmd, extra.c_str());
    } catch (const po::multiple_occurrences &e) {
        set_err(err, errn, "bfsim %s: %s given more than once", cmd,
                dashed(e.get_option_name()).c_str());
    } catch (const po::error &e) {
        set_err(err, errn, "bfsim %s: %s", cmd, e.what());
    } catch (const std::bad_alloc &) {
        set_err(err, errn, "bfsim %s: out of host memory (options)", cmd);
        return BF_ENOMEM;
    } catch (...) {
        set_err(err, errn, "bfsim %s: cannot parse the command line", cmd);
    }
    o->given.clear();
    return BF_EINPUT;
}

extern "C" int bf_opts_has(const bf_opts *o, const char *name)
{
    if (!o || !name)
        return 0;
    try {
        auto it = o->given.find(name);
        return it != o->given.end() && !it->second.empty();
    } catch (...) {
        return 0;
    }
}

extern "C" size_t bf_opts_count(const bf_opts *o, const char *name)
{
    if (!o || !name)
        return 0;
    try {
        auto it = o->given.find(name);
        if (it != o->given.end() && !it->second.empty())
            return it->second.size();
        const opt_decl *d = o->find(name);
        return d && d->has_def ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" const char *bf_opts_get_at(const bf_opts *o, const char *name, size_t i)
{
    if (!o || !name)
        return nullptr;
    try {
        auto it = o->given.find(name);
        if (it != o->given.end() && !it->second.empty())
            return i < it->second.size() ? it->second[i].c_str() : nullptr;
        const opt_decl *d = o->find(name);
        return d && d->has_def && i == 0 ? d->def.c_str() : nullptr;
    } catch (...) {
        return nullptr;
    }
}

extern "C" const char *bf_opts_get(const bf_opts *o, const char *name)
{
    size_t n = bf_opts_count(o, name);
    return n ? bf_opts_get_at(o, name, n - 1) : nullptr;
}

extern "C" void bf_opts_help(const bf_opts *o, FILE *f)
{
    if (!o || !f)
        return;
    try {
        std::ostringstream s;
        if (o->synopsis.compare(0, 6, "bfsim ") == 0) {
            s << "usage: " << o->synopsis << "\n";
        } else {
            s << "usage: bfsim " << o->command;
            if (!o->synopsis.empty())
                s << " " << o->synopsis;
            s << "\n";
        }
        if (!o->description.empty()) {
            s << "\n" << o->description;
            if (o->description.back() != '\n')
                s << "\n";
        }
        s << "\n" << o->build(true);
        if (!o->examples.empty()) {
            s << "\nExamples:\n";
            std::istringstream ex(o->examples);
            std::string line;
            while (std::getline(ex, line))
                s << (line.empty() || isspace((unsigned char)line[0]) ? "" : "  ") << line << "\n";
        }
        fputs(s.str().c_str(), f);
    } catch (...) {
        fprintf(f, "usage: bfsim %s %s\n", o->command.c_str(), o->synopsis.c_str());
    }
}

extern "C" void bf_opts_free(bf_opts *o)
{
    delete o;
}

/* ---- INI files ---- */

namespace
{

struct ini_state {
    const std::string &name;
    bf_ini_cb cb;
    void *ctx;
    char *err;
    size_t errn;
    std::string section; /* current section name, "" before the first header */
    po::options_description none;
};

int ini_fail(ini_state &st, unsigned line, const std::string &why)
{
    set_err(st.err, st.errn, "%s:%u: %s", st.name.c_str(), line, why.c_str());
    return BF_EINPUT;
}

/* One line of the file: 0 to continue, else the code to stop with. */
int ini_line(ini_state &st, const std::string &raw, unsigned line)
{
    if (raw.find('\0') != std::string::npos)
        return ini_fail(st, line, "NUL byte in line");
    std::string t = trim(raw);
    if (t.empty() || t[0] == '#')
        return 0;
    if (t[0] == '[') {
        std::string s = trim(t.substr(0, t.find('#')));
        if (s.size() < 2 || s.back() != ']')
            return ini_fail(st, line, "invalid section header '" + shown(t) + "'");
        std::string sec = s.substr(1, s.size() - 2);
        if (sec.empty() || sec.find_first_of(" \t\r\n\f\v[]") != std::string::npos)
            return ini_fail(st, line, "invalid section name '" + shown(sec) + "'");
        st.section = sec;
        return 0;
    }
    size_t eq = t.find('=');
    if (eq == std::string::npos)
        return ini_fail(st, line, "invalid line '" + shown(t) + "' (expected key = value)");
    std::string given = trim(t.substr(eq + 1));
    std::string boost_line = t, quoted;
    bool is_quoted = !given.empty() && given[0] == '"';
    if (is_quoted) {
        size_t q = given.find('"', 1);
        if (q == std::string::npos)
            return ini_fail(st, line, "unterminated quoted value");
        std::string rest = trim(given.substr(q + 1));
        if (!rest.empty() && rest[0] != '#')
            return ini_fail(st, line, "text after the closing quote '" + shown(rest) + "'");
        quoted = given.substr(1, q - 1);
        boost_line = t.substr(0, eq + 1); /* the key part only; the value is ours */
    }
    std::istringstream in((st.section.empty() ? std::string() : "[" + st.section + "]\n") +
                          boost_line + "\n");
    std::string invalid = "invalid line '" + shown(t) + "' (expected key = value)";
    po::parsed_options p(nullptr);
    try {
        p = po::parse_config_file<char>(in, st.none, true);
    } catch (const po::error &) {
        return ini_fail(st, line, invalid);
    }
    if (p.options.size() != 1 || p.options[0].value.size() > 1)
        return ini_fail(st, line, invalid);
    const po::option &opt = p.options[0];
    const std::string &key = opt.string_key;
    if (key.empty() || key.back() == '.')
        return ini_fail(st, line, "empty key");
    std::string value = is_quoted ? quoted : (opt.value.empty() ? std::string() : opt.value[0]);
    return st.cb ? st.cb(st.ctx, key.c_str(), value.c_str(), st.name.c_str(), line) : 0;
}

} // namespace

extern "C" int bf_ini_parse_text(const char *text, size_t n, const char *name, bf_ini_cb cb,
                                 void *ctx, char *err, size_t errn)
{
    if (!text && n)
        return BF_EINPUT;
    try {
        std::string fname(name ? name : "(config)");
        ini_state st{fname, cb, ctx, err, errn, std::string(), po::options_description()};
        size_t pos = 0;
        if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
            pos = 3;
        unsigned line = 0;
        while (pos < n) {
            const void *nl = memchr(text + pos, '\n', n - pos);
            size_t end = nl ? (size_t)((const char *)nl - text) : n;
            line++;
            if (end - pos > BF_INI_MAX_LINE) {
                set_err(err, errn, "%s:%u: line longer than %d bytes", fname.c_str(), line,
                        BF_INI_MAX_LINE);
                return BF_EINPUT;
            }
            int rc = ini_line(st, std::string(text + pos, end - pos), line);
            if (rc)
                return rc;
            pos = end + 1;
        }
        return BF_OK;
    } catch (const po::error &e) {
        set_err(err, errn, "%s: %s", name ? name : "(config)", e.what());
        return BF_EINPUT;
    } catch (const std::bad_alloc &) {
        set_err(err, errn, "%s: out of memory", name ? name : "(config)");
        return BF_ENOMEM;
    } catch (...) {
        set_err(err, errn, "%s: cannot parse", name ? name : "(config)");
        return BF_EINPUT;
    }
}

extern "C" int bf_ini_parse_file(const char *path, bf_ini_cb cb, void *ctx, char *err, size_t errn)
{
    if (!path) {
        set_err(err, errn, "no config file name");
        return BF_EIO;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errn, "cannot open %s: %s", path, strerror(errno));
        return BF_EIO;
    }
    std::string text;
    int rc = BF_OK;
    try {
        char buf[8192];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
            text.append(buf, got);
            if (text.size() > BF_INI_MAX_BYTES) { /* /dev/zero, a trace given as a config */
                set_err(err, errn, "%s: larger than %d bytes: not a config file", path,
                        BF_INI_MAX_BYTES);
                rc = BF_EINPUT;
                break;
            }
        }
        if (ferror(f)) {
            set_err(err, errn, "cannot read %s: %s", path, strerror(errno));
            rc = BF_EIO;
        }
    } catch (...) {
        set_err(err, errn, "%s: out of memory", path);
        rc = BF_ENOMEM;
    }
    fclose(f);
    if (rc)
        return rc;
    return bf_ini_parse_text(text.data(), text.size(), path, cb, ctx, err, errn);
}

extern "C" int bf_parse_set(const char *kv, char *key, size_t kn, char *val, size_t vn, char *err,
                            size_t errn)
{
    if (!kv || !key || !val || kn == 0 || vn == 0) {
        set_err(err, errn, "no argument");
        return BF_EINPUT;
    }
    const char *eq = strchr(kv, '=');
    if (!eq) {
        set_err(err, errn, "expected key=value");
        return BF_EINPUT;
    }
    const char *kb = kv, *ke = eq;
    while (kb < ke && strchr(k_ws, *kb))
        kb++;
    while (ke > kb && strchr(k_ws, ke[-1]))
        ke--;
    if (kb == ke) {
        set_err(err, errn, "empty key");
        return BF_EINPUT;
    }
    size_t klen = (size_t)(ke - kb), vlen = strlen(eq + 1);
    if (klen >= kn) {
        set_err(err, errn, "key too long (at most %zu bytes)", kn - 1);
        return BF_EINPUT;
    }
    if (vlen >= vn) {
        set_err(err, errn, "value too long (at most %zu bytes)", vn - 1);
        return BF_EINPUT;
    }
    memcpy(key, kb, klen);
    key[klen] = '\0';
    memcpy(val, eq + 1, vlen + 1);
    return BF_OK;
}
