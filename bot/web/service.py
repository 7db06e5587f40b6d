"""What the hotline console knows and answers: built once per process from the knowledge base, then pure.

Every answer comes from the quote engine and the FAQ service (the same as the CLI's `quote --json` and
`ask --json`); this module only adds what a web page needs on top: links from each cited passage to its place
in the document, each figure with its passage, the jurisdictions side by side, the calculator's choices.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Any

from bot.errors import NotCoveredError
from bot.faq.answers import DocumentView
from bot.faq.service import FaqAnswer, FaqService, build_faq_service
from bot.policy.loader import KnowledgeBase, default_knowledge_base
from bot.policy.model import Citation, PolicyDocument
from bot.quote.engine import QuoteEngine, uses_birth
from bot.quote.result import Quote, QuoteRequest, Source
from bot.render import render
from bot.resident import choices, resident_messages
from bot.web.documents import DocumentText, document_name, passage_id
from bot.web.figures import figures_of
from bot.web.passages import find_passages

MAX_QUERY = 200


def _pinyin(words: list[str]) -> list[str]:
    from pypinyin import lazy_pinyin

    return ["".join(lazy_pinyin(word)) for word in words]


class ConsoleService:
    def __init__(self, kb: KnowledgeBase | None = None, faq: FaqService | None = None) -> None:
        self.kb = kb or default_knowledge_base()
        self.engine = QuoteEngine(self.kb)
        self.faq = faq or build_faq_service(self.engine)
        self.documents = {d.id: d for d in self.kb.documents}
        self.texts = {d.id: DocumentText(d, self.kb.source_text(d)) for d in self.kb.documents}
        self._by_name = {document_name(d): d.id for d in self.kb.documents}
        self.jurisdictions = sorted({d.jurisdiction.name for d in self.kb.documents})
        self._options = {name: self._jurisdiction_options(name) for name in self.jurisdictions}

    # --- links to passages -------------------------------------------------------------------------------------

    def href(self, document_id: str, quote: str) -> str:
        pid = passage_id(quote)
        return f"doc/{document_id}?p={pid}#{pid}"

    def source_json(self, source: Source) -> dict[str, Any]:
        data: dict[str, Any] = asdict(source)
        document_id = self._by_name.get(source.document)
        data["document_id"] = document_id
        data["href"] = self.href(document_id, source.quote) if document_id else None
        return data

    def citation_json(self, document: PolicyDocument, citation: Citation) -> dict[str, Any]:
        return self.source_json(Source(document_name(document), citation.section, citation.quote))

    def newest(self, jurisdiction: str) -> PolicyDocument:
        return max(self.engine.documents_for(jurisdiction), key=lambda d: d.benefit_year)

    # --- the CLI's answers -----------------------------------------------------------------------------------------

    def quote(self, request: QuoteRequest) -> dict[str, Any]:
        """Exactly `quote --json`. Raises UserInputError / NotCoveredError as the CLI does."""
        return self.engine.quote(request).to_json()

    def ask(self, question: str, region: str | None) -> dict[str, Any]:
        """Exactly `ask --json`."""
        result = self.faq.ask(question[:MAX_QUERY], region)
        return _faq_json(result)

    # --- search as you type ----------------------------------------------------------------------------------------

    def search(self, query: str, region: str | None) -> dict[str, Any]:
        """The FAQ answer for one jurisdiction, or for all of them side by side, each with its passages."""
        query = query.strip()[:MAX_QUERY]
        jurisdictions = [self.engine.places.resolve(region).jurisdiction] if region else self.jurisdictions
        # Whether the question is understood does not depend on the place; the reply when it is not (which
        # questions it may be, where to ask) is the FAQ's own for "all places" or for the one place.
        first = self.faq.ask(query, jurisdictions[0] if region else None)
        results = [self.faq.ask(query, j) for j in jurisdictions] if first.kind == "answer" and not region \
            else [first]
        answers = []
        for jurisdiction, result in zip(jurisdictions, results, strict=False):
            document = self.newest(jurisdiction)
            answers.append({
                "region": jurisdiction if first.kind == "answer" or region else None,
                "document_id": document.id,
                "document_title": document_name(document),
                "text": _body(result),
                "sources": [self.source_json(s) for s in result.sources],
            })
        return {
            "query": query,
            "kind": first.kind,
            "faq_id": first.faq_id,
            "question": first.question,
            "score": round(first.score, 1),
            "suggestions": first.suggestions,
            "answers": answers,
            "figures": self._figures(first.faq_id, jurisdictions) if first.kind == "answer" else [],
            "passages": [
                {"region": hit.region, "document_id": hit.document_id, "section": hit.section,
                 "excerpt": hit.excerpt, "href": f"doc/{hit.document_id}#{hit.anchor}"}
                for hit in find_passages(query, [self.texts[self.newest(j).id] for j in jurisdictions])
            ],
        }

    def _figures(self, faq_id: str | None, jurisdictions: list[str]) -> list[dict[str, Any]]:
        """Each jurisdiction's figures for the topic, one row each, for the side-by-side table."""
        spec = self.faq.specs.get(faq_id or "")
        if spec is None or spec.template not in ("subsidy_for", "fee", "window"):
            return []
        rows: list[dict[str, Any]] = []
        for jurisdiction in jurisdictions:
            document = self.newest(jurisdiction)
            fee = document.standard_fee
            if spec.template == "fee":
                rows.append(self._row(document, "个人缴费标准", "", fee.amount, fee.cite))
            elif spec.template == "window":
                collection = document.collection
                span = f"{_day(collection.start, collection.start_text)}至{_day(collection.end, collection.end_text)}"
                rows.append(self._row(document, "集中征缴期", span, None, collection.cite))
            else:
                lines = DocumentView(document, self.engine.vocabulary).categories_for(spec.terms, spec.age)
                for line in lines:
                    words = line.words + (f"{line.subsidy}元" if line.subsidy and line.category.subsidy.kind != "none"
                                          else "")
                    rows.append(self._row(document, line.label, words, line.personal, line.category.subsidy.cite))
                if not lines:
                    rows.append(self._row(document, "文件未规定此类人员的资助", "按个人缴费标准缴费", fee.amount,
                                          fee.cite))
        return rows

    def _row(self, document: PolicyDocument, item: str, detail: str, personal: int | None,
             cite: Citation) -> dict[str, Any]:
        return {"region": document.jurisdiction.name, "item": item, "detail": detail, "personal": personal,
                "source": self.citation_json(document, cite)}

    # --- the calculator ----------------------------------------------------------------------------------------

    def calculate(self, request: QuoteRequest) -> dict[str, Any]:
        """The quote with every figure linked to its passage and the texts for the resident.

        A date after every document of the place gets the reason and the labelled reference answer (the quote
        engine's, as `quote --reference`); other uncovered places or dates raise NotCoveredError, bad input
        UserInputError.
        """
        reason = None
        try:
            quote = self.engine.quote(request)
        except NotCoveredError as error:
            if error.field != "date" or request.reference:
                raise
            quote = self.engine.quote(replace(request, reference=True))  # the same error when no reference
            reason = error.one_line()
        document = self.documents[quote.document_id]
        label = None
        if quote.reference:
            label = render("web/reference_label", "text", doc=document, asked=quote.payment_date,
                           assumed=quote.reference_date)
        offered = choices(quote)
        return {
            "covered": not quote.reference,
            "reason": reason,
            "reference": quote.reference,
            "reference_label": label,
            "quote": quote.to_json(),
            "figures": [
                {"key": f.key, "label": f.label, "value": f.value,
                 "sources": [self.citation_json(document, c) for c in dict.fromkeys(f.citations)]}
                for f in figures_of(quote, document)
            ],
            "sources": [self.source_json(s) for s in quote.sources],
            # What staff copy into an SMS or WeChat message: the messages the resident would receive, with the
            # steps of one payment channel if the resident says how they will pay.
            "resident_text": _messages(quote, None),
            "resident_channels": [{"id": c.id, "label": c.label} for c in offered],
            "resident_texts": {c.id: _messages(quote, c.id) for c in offered},
        }

    # --- what the calculator offers ------------------------------------------------------------------------------

    def options(self, today: date) -> dict[str, Any]:
        return {"today": today.isoformat(), "jurisdictions": [self._options[name] for name in self.jurisdictions]}

    def match_statuses(self, region: str, text: str) -> dict[str, Any]:
        """The calculator's options for what a resident said ("低报和残疾", "五保户"), read as the dialog reads
        it: `keys` are the options it names; `related` are narrower options to choose from (山丹 splits 低保).
        UserInputError, with near words, when a status is not understood."""
        jurisdiction = self.engine.places.resolve(region).jurisdiction
        vocabulary = self.engine.vocabulary
        options = self._options[jurisdiction]["statuses"]
        keys: list[str] = []
        related: list[str] = []
        for term in vocabulary.parse(text[:MAX_QUERY]):
            lineage = vocabulary.ancestors(term)
            below = vocabulary.descendants(term)
            exact = [o for o in options if set(o["terms"]) & lineage]
            keys.extend("+".join(o["values"]) for o in exact)
            if not exact:
                related.extend("+".join(o["values"]) for o in options if set(o["terms"]) & below)
        return {"keys": list(dict.fromkeys(keys)), "related": list(dict.fromkeys(related))}

    def _jurisdiction_options(self, jurisdiction: str) -> dict[str, Any]:
        """The statuses and situations of the place's own documents, findable by residents' words."""
        vocabulary = self.engine.vocabulary
        documents = sorted(self.engine.documents_for(jurisdiction), key=lambda d: -d.benefit_year)
        statuses: dict[str, dict[str, Any]] = {}
        automatic: list[str] = []
        facts: dict[str, dict[str, str]] = {}

        def words_for(term_ids: list[str]) -> list[str]:
            words: list[str] = []
            for term_id in term_ids:
                related = vocabulary.ancestors(term_id) | vocabulary.descendants(term_id)
                for related_id in sorted(related):
                    term = vocabulary.terms[related_id]
                    words.extend([term.name, *term.synonyms])
            unique = list(dict.fromkeys(words))
            return unique + _pinyin(unique)

        for document in documents:
            for category in document.categories:
                values = list(category.all_of) or list(category.matches[:1])
                if not values:
                    automatic.append(category.label)
                    continue
                key = "+".join(values)
                terms = list(dict.fromkeys([*category.matches, *category.all_of]))
                statuses.setdefault(key, {"values": values, "label": category.label, "kind": "status",
                                          "terms": terms, "words": words_for(terms)})
            for path in document.paths:
                situation = path.when.situation
                if situation and situation not in statuses:
                    statuses[situation] = {"values": [situation], "label": vocabulary.name(situation),
                                           "kind": "situation", "terms": [situation], "words": words_for([situation])}
            for fact in document.facts:
                facts.setdefault(fact.id, {"id": fact.id, "question": fact.question})
        newest = documents[0]
        return {
            "name": jurisdiction,
            "documents": [{"id": d.id, "benefit_year": d.benefit_year, "title": document_name(d)} for d in documents],
            "statuses": list(statuses.values()),
            "automatic": automatic,
            "facts": list(facts.values()),
            "uses_birth": any(uses_birth(d) for d in documents),
            "enquiries": newest.source.enquiries,
        }


def _messages(quote: Quote, channel: str | None) -> str:
    return "\n\n".join(resident_messages(quote, "text", channel, buttons=False))


def _faq_json(result: FaqAnswer) -> dict[str, Any]:
    data = asdict(result)
    data["score"] = round(result.score, 1)
    data.pop("template")
    return data


def _body(result: FaqAnswer) -> str:
    """The answer without its heading (the matched question) and its list of passages, which the page shows
    as links of its own."""
    text = result.answer
    if result.question and text.startswith(result.question):
        text = text[len(result.question):]
    return text.split("\n依据：\n", 1)[0].strip()


def _day(value: date | None, words: str | None) -> str:
    if value is None:
        return words or "文件未写明"
    return f"{value.year}年{value.month}月{value.day}日"
