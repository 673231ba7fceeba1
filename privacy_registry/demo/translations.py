"""The demo's register texts in Swedish and Danish: Avara's activities and purposes, and the shared categories.

Avara publishes its policy in Swedish, so its register texts are given in Swedish (and Danish) as well as in
English: the generated notice then reads in the visitor's language from end to end. Wording is the project's own.
Keys are the English texts of ``seed_data``; a test checks that each still names a demo row."""
from __future__ import annotations

from ..models import DataSubjectCategory, PersonalDataCategory, ProcessingActivity, Purpose

# (model, field, organisation slug or None for shared rows) -> English text -> {language: text}
TRANSLATIONS: dict[tuple[type, str, str | None], dict[str, dict[str, str]]] = {
    (ProcessingActivity, "name", "avara"): {
        "Sales, marketing and customer care": {
            "sv": "Försäljning, marknadsföring och kundvård", "da": "Salg, markedsføring og kundepleje"},
        "Newsletter and e-mail subscriptions": {
            "sv": "Nyhetsbrev och e-postprenumerationer", "da": "Nyhedsbreve og e-mailabonnementer"},
        "Website, chat and cookies": {
            "sv": "Webbplats, chatt och kakor", "da": "Websted, chat og cookies"},
        "E-mail and telephone correspondence": {
            "sv": "Korrespondens via e-post och telefon", "da": "Korrespondance via e-mail og telefon"},
    },
    (Purpose, "description", "avara"): {
        "Sales and marketing by direct e-mail or phone": {
            "sv": "Försäljning och marknadsföring direkt via e-post eller telefon",
            "da": "Salg og markedsføring direkte via e-mail eller telefon"},
        "Customer care and information about Avara's products": {
            "sv": "Kundvård och information om Avaras produkter",
            "da": "Kundepleje og information om Avaras produkter"},
        "Answer enquiries": {"sv": "Besvara förfrågningar", "da": "Besvare henvendelser"},
        "Send requested material and meet the obligation to deliver it": {
            "sv": "Skicka material som efterfrågats och fullgöra skyldigheten att leverera det",
            "da": "Sende materiale, der er bedt om, og opfylde pligten til at levere det"},
        "Create and maintain a sales dialogue": {
            "sv": "Skapa och upprätthålla en försäljningsdialog", "da": "Skabe og vedligeholde en salgsdialog"},
        "Send information that may interest the person": {
            "sv": "Skicka information som kan intressera personen",
            "da": "Sende information, der kan interessere personen"},
        "Send the newsletters and content the person chose to receive": {
            "sv": "Skicka de nyhetsbrev och det innehåll som personen valt att ta emot",
            "da": "Sende de nyhedsbreve og det indhold, som personen har valgt at modtage"},
        "Statistics on user behaviour to improve the website and the user experience": {
            "sv": "Statistik över användarbeteende för att förbättra webbplatsen och användarupplevelsen",
            "da": "Statistik over brugeradfærd for at forbedre webstedet og brugeroplevelsen"},
        "A more personal experience with products and content that interest the person": {
            "sv": "En mer personlig upplevelse med produkter och innehåll som intresserar personen",
            "da": "En mere personlig oplevelse med produkter og indhold, der interesserer personen"},
        "Remember form entries so visitors need not fill them in each time (cookies)": {
            "sv": "Komma ihåg formulärfält så att besökare slipper fylla i dem varje gång (kakor)",
            "da": "Huske formularfelter, så besøgende ikke skal udfylde dem hver gang (cookies)"},
        "Everyday correspondence with internal and external contacts": {
            "sv": "Daglig korrespondens med interna och externa kontakter",
            "da": "Daglig korrespondance med interne og eksterne kontakter"},
        "Record relevant details from customer calls and e-mails in the customer system": {
            "sv": "Föra in relevanta uppgifter från kundsamtal och e-post i kundsystemet",
            "da": "Registrere relevante oplysninger fra kundeopkald og e-mails i kundesystemet"},
    },
    (DataSubjectCategory, "name", None): {
        "Customer": {"sv": "Kund", "da": "Kunde"},
        "Enquirer": {"sv": "Den som gör en förfrågan", "da": "Den, der henvender sig"},
        "Event participant": {"sv": "Deltagare i evenemang", "da": "Deltager i arrangementer"},
        "Newsletter subscriber": {"sv": "Prenumerant på nyhetsbrev", "da": "Abonnent på nyhedsbrev"},
        "Website visitor": {"sv": "Besökare på webbplatsen", "da": "Besøgende på webstedet"},
        "E-mail correspondent": {"sv": "Den som korresponderar via e-post", "da": "Korrespondent via e-mail"},
    },
    (PersonalDataCategory, "name", None): {
        "Identity": {"sv": "Identitet", "da": "Identitet"},
        "Contact details": {"sv": "Kontaktuppgifter", "da": "Kontaktoplysninger"},
        "Commercial interests": {"sv": "Kommersiella intressen", "da": "Kommercielle interesser"},
        "Correspondence and enquiries": {
            "sv": "Korrespondens och förfrågningar", "da": "Korrespondance og henvendelser"},
        "Subscription choices": {"sv": "Val av prenumerationer", "da": "Valg af abonnementer"},
        "IP address": {"sv": "IP-adress", "da": "IP-adresse"},
        "Online identifiers": {"sv": "Identifierare på nätet", "da": "Onlineidentifikatorer"},
    },
}


def rows(model: type, field: str, slug: str | None, english: str):
    """The demo rows an entry translates."""
    found = model._default_manager.filter(**{f"{field}_en": english})
    if slug is None:
        return found
    organisation = "activity__organisation__slug" if model is Purpose else "organisation__slug"
    return found.filter(**{organisation: slug})
