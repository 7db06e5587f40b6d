"""Free-text questions about paying resident medical insurance: which FAQ topic is meant, or none.

Matching (this package's lower half):
    bot.faq.model      FaqEntry, load_entries(path), load_synonyms(path), FaqDataError: the data files
    bot.faq.normalize  normalize(text), to_pinyin(text), sound_key(text), Normalizer: comparable text
    bot.faq.matcher    FaqMatcher(entries, threshold=...).match(query) -> MatchResult

Nothing is imported here, so importing one module does not load the others (pypinyin is slow to load).
"""
