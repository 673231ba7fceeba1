"""The demo's register texts in Swedish and Danish: every text of Avara's register, and the shared categories.

Avara publishes its policy in Swedish (its ``primary_language``), so its register texts are given in Swedish (and
Danish) as well as in English: the generated notice then reads in the visitor's language from end to end, the
register's own texts included (activities, purposes, sources, recipients, retention rules, cookies, consent
purposes, its statements). Wording is the project's own. Keys are the texts as ``seed_data`` (or the loader of an
app above the register) writes them: English, except Avara's statements, which it writes in Swedish; a test checks
that each still names a demo row. Proper names (Avara AS, 7Sense) stay as they are. System descriptions are not
translated fields of the register, so they have no entry here."""
from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models.signals import pre_save
from modeltranslation.settings import AVAILABLE_LANGUAGES

from ..models import (
    DataSource,
    DataSubjectCategory,
    NoticeStatement,
    Organisation,
    PersonalDataCategory,
    PrivacyContact,
    ProcessingActivity,
    Purpose,
    Recipient,
    SecurityMeasure,
    Vendor,
)
from ..translated import ORGANISATION_PATHS

# The reason every demo loader gives its saves (``seeds.REASON``, ``retention.demo``, ``consent.demo``).
DEMO_REASON = "demo data"

# (model or "app_label.Model", field, organisation slug or None for shared rows) -> text as the seed writes it
# (English, or the language the policy states it in) -> {language: text}
TRANSLATIONS: dict[tuple[type[models.Model] | str, str, str | None], dict[str, dict[str, str]]] = {
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
    (ProcessingActivity, "description", "avara"): {
        "Data from forms, orders, product use, chat, customer-service calls and public sources, kept in the "
        "customer system for sales, marketing and customer care; shared with partners or event co-organisers "
        "only where a joint dialogue or event involves the person.": {
            "sv": "Uppgifter som kommer från formulär, beställningar, användning av produkterna, chatten, samtal till "
                  "kundtjänst och offentliga källor. De finns i kundsystemet och används för försäljning, "
                  "marknadsföring och kundvård. Partner eller medarrangörer av evenemang får dem bara när personen "
                  "deltar i en gemensam dialog eller ett gemensamt evenemang.",
            "da": "Oplysninger, der kommer fra formularer, bestillinger, brug af produkterne, chatten, opkald til "
                  "kundeservice og offentlige kilder. De ligger i kundesystemet og bruges til salg, markedsføring "
                  "og kundepleje. Partnere eller medarrangører af arrangementer får dem kun, når personen deltager i "
                  "en fælles dialog eller et fælles arrangement."},
        "E-mail newsletters and content the person chose to receive; unsubscribe through the link in every "
        "e-mail or by contacting Avara.": {
            "sv": "Nyhetsbrev via e-post och annat innehåll som personen själv valt. Prenumerationen avslutas med "
                  "länken i varje utskick eller genom att kontakta Avara.",
            "da": "Nyhedsbreve via e-mail og andet indhold, som personen selv har valgt. Abonnementet opsiges via "
                  "linket i hver udsendelse eller ved at kontakte Avara."},
        "Technical information about visits and use of the website and chat, and cookies that save visitors "
        "from filling in fields again.": {
            "sv": "Tekniska uppgifter om besök på webbplatsen och om hur den och chatten används, samt kakor som gör "
                  "att besökare inte behöver fylla i samma fält igen.",
            "da": "Tekniske oplysninger om besøg på webstedet og om brugen af det og chatten, samt cookies, så "
                  "besøgende ikke skal udfylde de samme felter igen."},
        "Everyday e-mail and phone contact with internal and external people; relevant details from customer "
        "handling are recorded in the customer system.": {
            "sv": "Daglig kontakt via e-post och telefon med personer inom och utanför Avara. Det som är relevant "
                  "för kundhanteringen förs in i kundsystemet.",
            "da": "Daglig kontakt via e-mail og telefon med personer i og uden for Avara. Det, der er relevant for "
                  "kundehåndteringen, registreres i kundesystemet."},
    },
    (ProcessingActivity, "retention_statement", "avara"): {
        "Only as long as the purpose needs. Active dialogue (contact by phone, e-mail reply, download or form "
        "sign-up within 2 years): kept 2 years from the last contact, then deleted. Customers: for the whole active "
        "relationship, then the same 2-year rule. Deleted when consent is withdrawn. Data is not sold.": {
            "sv": "Bara så länge ändamålet kräver. Vid aktiv dialog (kontakt per telefon, svar på e-post, nedladdning "
                  "eller anmälan via formulär under de senaste 2 åren) sparas uppgifterna i 2 år efter den senaste "
                  "kontakten och raderas sedan. Kunder: under hela den aktiva kundrelationen och därefter enligt "
                  "samma 2-årsregel. Uppgifterna raderas när samtycket återkallas. De säljs inte.",
            "da": "Kun så længe formålet kræver det. Ved aktiv dialog (kontakt pr. telefon, svar på e-mail, download "
                  "eller tilmelding via formular inden for de seneste 2 år) gemmes oplysningerne i 2 år efter den "
                  "seneste kontakt og slettes derefter. Kunder: i hele det aktive kundeforhold og derefter efter "
                  "samme 2-årsregel. Oplysningerne slettes, når samtykket trækkes tilbage. De sælges ikke."},
        "Until the person unsubscribes; then kept 2 years before deletion.": {
            "sv": "Tills personen avslutar prenumerationen; därefter sparas uppgifterna i 2 år innan de raderas.",
            "da": "Indtil personen opsiger abonnementet; derefter gemmes oplysningerne i 2 år, før de slettes."},
        "Only as long as the purpose of collection needs, then deleted; no specific period is stated.": {
            "sv": "Bara så länge ändamålet med insamlingen kräver, sedan raderas uppgifterna; någon bestämd tid "
                  "anges inte.",
            "da": "Kun så længe formålet med indsamlingen kræver det, derefter slettes oplysningerne; der er ikke "
                  "angivet nogen bestemt periode."},
        "Staff delete messages that are no longer relevant and review their mailbox at least yearly; accounts are "
        "deleted when staff leave, with relevant messages handed to colleagues. Customer details in the customer "
        "system follow the 2-year rule.": {
            "sv": "Medarbetarna raderar meddelanden som inte längre är relevanta och går igenom sin brevlåda minst "
                  "en gång om året. När någon slutar raderas kontot, och relevanta meddelanden lämnas över till "
                  "kollegor. Kunduppgifter i kundsystemet följer 2-årsregeln.",
            "da": "Medarbejderne sletter beskeder, der ikke længere er relevante, og gennemgår deres postkasse "
                  "mindst én gang om året. Når nogen fratræder, slettes kontoen, og relevante beskeder overdrages "
                  "til kolleger. Kundeoplysninger i kundesystemet følger 2-årsreglen."},
    },
    (Purpose, "legitimate_interest", "avara"): {
        "A past or new customer relationship as a legitimate reason to send information.": {
            "sv": "Att personen är eller har varit kund ger ett berättigat skäl att skicka information.",
            "da": "At personen er eller har været kunde, giver en legitim grund til at sende information."},
    },
    (Purpose, "legal_basis_as_stated", "avara"): {
        "“Legitimate consent under point 6f” (legitimt samtycke enligt 6f), also called consent under the "
        "Marketing Control Act": {
            "sv": "”Legitimt samtycke enligt punkt 6f”, som också kallas samtycke enligt marknadsföringslagen",
            "da": "”Legitimt samtykke efter punkt 6f”, som også kaldes samtykke efter markedsføringsloven"},
    },
    (Purpose, "legal_basis_detail", "avara"): {
        "Opt-in subscription; withdrawn through the unsubscribe link or by contacting Avara.": {
            "sv": "Prenumeration som personen själv anmält sig till; samtycket återkallas med avregistreringslänken "
                  "eller genom att kontakta Avara.",
            "da": "Abonnement, som personen selv har tilmeldt sig; samtykket trækkes tilbage via "
                  "afmeldingslinket eller ved at kontakte Avara."},
        "The policy says cookies need the user's informed consent.": {
            "sv": "Enligt policyn kräver kakor att användaren har informerats och gett sitt samtycke.",
            "da": "Ifølge politikken kræver cookies, at brugeren er informeret og har givet sit samtykke."},
    },
    (Purpose, "retention_statement", "avara"): {
        "Active dialogue (contact by phone, e-mail reply, download or form sign-up within 2 years): kept 2 years "
        "from the last contact, then deleted; deleted at once if consent is withdrawn.": {
            "sv": "Aktiv dialog (kontakt per telefon, svar på e-post, nedladdning eller anmälan via formulär under de "
                  "senaste 2 åren): sparas i 2 år efter den senaste kontakten och raderas sedan; raderas genast om "
                  "samtycket återkallas.",
            "da": "Aktiv dialog (kontakt pr. telefon, svar på e-mail, download eller tilmelding via formular inden "
                  "for de seneste 2 år): gemmes i 2 år efter den seneste kontakt og slettes derefter; slettes "
                  "straks, hvis samtykket trækkes tilbage."},
        "Customers: for the whole active customer relationship, then kept 2 years from the last contact and "
        "deleted; deleted at once if consent is withdrawn.": {
            "sv": "Kunder: under hela den aktiva kundrelationen, därefter sparas uppgifterna i 2 år efter den "
                  "senaste kontakten och raderas; raderas genast om samtycket återkallas.",
            "da": "Kunder: i hele det aktive kundeforhold, derefter gemmes oplysningerne i 2 år efter den seneste "
                  "kontakt og slettes; slettes straks, hvis samtykket trækkes tilbage."},
    },
    (DataSource, "description", "avara"): {
        "Forms, orders, product use, chat and calls to customer service": {
            "sv": "Formulär, beställningar, användning av produkterna, chatten och samtal till kundtjänst",
            "da": "Formularer, bestillinger, brug af produkterne, chatten og opkald til kundeservice"},
        "Information the person gave Avara earlier": {
            "sv": "Uppgifter som personen tidigare har lämnat till Avara",
            "da": "Oplysninger, som personen tidligere har givet Avara"},
        "Public information to add industry and further contact details": {
            "sv": "Offentligt tillgängliga uppgifter, för att komplettera med bransch och fler kontaktuppgifter",
            "da": "Offentligt tilgængelige oplysninger til at supplere med branche og flere kontaktoplysninger"},
        "Subscription forms": {"sv": "Prenumerationsformulär", "da": "Tilmeldingsformularer"},
        "Visits to the website: referring URL, IP address, behaviour, browser": {
            "sv": "Besök på webbplatsen: hänvisande URL, IP-adress, beteende på webbplatsen och webbläsare",
            "da": "Besøg på webstedet: henvisende URL, IP-adresse, adfærd på webstedet og browser"},
        "E-mails and phone calls": {"sv": "E-post och telefonsamtal", "da": "E-mails og telefonopkald"},
    },
    (Recipient, "description", "avara"): {
        "A limited number of staff in marketing, customer support and sales": {
            "sv": "Ett begränsat antal medarbetare inom marknadsföring, kundsupport och försäljning",
            "da": "Et begrænset antal medarbejdere i marketing, kundesupport og salg"},
        "7Sense (customer system)": {"sv": "7Sense (kundsystemet)", "da": "7Sense (kundesystemet)"},
        "Partners in a sales or customer dialogue with the person: name, e-mail, phone, company": {
            "sv": "Partner som deltar i en försäljnings- eller kunddialog med personen: namn, e-postadress, "
                  "telefonnummer och företag",
            "da": "Partnere, der deltager i en salgs- eller kundedialog med personen: navn, e-mailadresse, "
                  "telefonnummer og virksomhed"},
        "External co-organiser of an event the person registered for: the same plus form answers": {
            "sv": "Extern medarrangör av ett evenemang som personen anmält sig till: samma uppgifter samt svar i "
                  "formulär",
            "da": "Ekstern medarrangør af et arrangement, som personen har tilmeldt sig: de samme oplysninger samt "
                  "svar i formularer"},
        "Colleagues who take over relevant e-mails when an employee leaves": {
            "sv": "Kollegor som tar över relevanta e-postmeddelanden när en medarbetare slutar",
            "da": "Kolleger, der overtager relevante e-mails, når en medarbejder fratræder"},
    },
    (Organisation, "rights_request_requirements", "avara"): {
        "Write to the e-mail address in the contact details to withdraw consent or to ask for an overview, "
        "correction or deletion of the data; to receive the information, send an electronic copy of a signed "
        "request. Avara also offers help with moving the data.": {
            "sv": "Skriv till e-postadressen under kontaktuppgifterna för att återkalla samtycket eller be om en "
                  "översikt, rättelse eller radering av uppgifterna. För att få informationen skickar du en "
                  "elektronisk kopia av en undertecknad begäran. Avara hjälper också till om du vill flytta "
                  "uppgifterna.",
            "da": "Skriv til e-mailadressen under kontaktoplysningerne for at trække samtykket tilbage eller bede "
                  "om en oversigt over, berigtigelse eller sletning af oplysningerne. For at få oplysningerne sender "
                  "du en elektronisk kopi af en underskrevet anmodning. Avara hjælper også, hvis du vil flytte "
                  "oplysningerne."},
    },
    (PrivacyContact, "name", "avara"): {
        "Avara AS": {"sv": "Avara AS", "da": "Avara AS"},  # a proper name: the same in every language
    },
    (Vendor, "service", "avara"): {
        "Avara's customer system (CRM).": {"sv": "Avaras kundsystem (CRM).", "da": "Avaras kundesystem (CRM)."},
        "Sub-processors 7Sense engages for the customer system.": {
            "sv": "Underbiträden som 7Sense anlitar för kundsystemet.",
            "da": "Underdatabehandlere, som 7Sense benytter til kundesystemet."},
    },
    (Organisation, "registry_details", "avara"): {
        "Norwegian organisation number.": {"sv": "Norskt organisationsnummer.", "da": "Norsk organisationsnummer."},
    },
    (Organisation, "applicable_law", "avara"): {
        "Norway's Marketing Control Act, which the policy cites for consent to e-mail marketing.": {
            "sv": "Norges marknadsföringslag, som integritetspolicyn hänvisar till för samtycke till "
                  "marknadsföring via e-post.",
            "da": "Norges markedsføringslov, som privatlivspolitikken henviser til for samtykke til markedsføring "
                  "via e-mail."},
    },
    (SecurityMeasure, "name", "avara"): {
        "Access limited to marketing, customer support and sales": {
            "sv": "Åtkomst bara för marknadsföring, kundsupport och försäljning",
            "da": "Adgang kun for marketing, kundesupport og salg"},
        "Data processing agreement with the CRM provider": {
            "sv": "Personuppgiftsbiträdesavtal med leverantören av kundsystemet",
            "da": "Databehandleraftale med leverandøren af kundesystemet"},
        "Yearly mailbox clean-up": {
            "sv": "Årlig rensning av e-postlådor", "da": "Årlig oprydning i e-mailpostkasser"},
        "Mail accounts closed when staff leave": {
            "sv": "E-postkonton stängs när medarbetare slutar",
            "da": "E-mailkonti lukkes, når medarbejdere fratræder"},
        "No sensitive personal data by e-mail": {
            "sv": "Inga känsliga personuppgifter via e-post", "da": "Ingen følsomme personoplysninger via e-mail"},
        "Signed request for rights requests": {
            "sv": "Undertecknad begäran när någon utövar sina rättigheter",
            "da": "Underskrevet anmodning, når nogen udøver sine rettigheder"},
    },
    (SecurityMeasure, "description", "avara"): {
        "Only a limited number of people in those functions see the data.": {
            "sv": "Bara ett fåtal medarbetare inom de funktionerna kan se uppgifterna.",
            "da": "Kun få medarbejdere i de funktioner kan se oplysningerne."},
        "With 7Sense AS, which has agreements with its own sub-processors.": {
            "sv": "Med 7Sense AS, som i sin tur har avtal med sina egna underbiträden.",
            "da": "Med 7Sense AS, som selv har aftaler med sine egne underdatabehandlere."},
        "Each employee reviews the mailbox at least yearly and deletes what is not needed.": {
            "sv": "Varje medarbetare går igenom sin e-postlåda minst en gång om året och raderar det som inte "
                  "behövs.",
            "da": "Hver medarbejder gennemgår sin postkasse mindst én gang om året og sletter det, der ikke er brug "
                  "for."},
        "Accounts are deleted on departure; relevant messages normally go to colleagues.": {
            "sv": "Kontot raderas när medarbetaren slutar; relevanta meddelanden förs i regel över till kollegor.",
            "da": "Kontoen slettes, når medarbejderen fratræder; relevante beskeder overdrages som regel til "
                  "kolleger."},
        "An electronic copy of a signed document is required.": {
            "sv": "Det krävs en elektronisk kopia av ett undertecknat dokument.",
            "da": "Der kræves en elektronisk kopi af et underskrevet dokument."},
    },
    # Avara's own statements are written in Swedish (the key): English and Danish are added.
    (NoticeStatement, "text", "avara"): {
        "Avara säljer inte personuppgifter till tredje part.": {
            "sv": "Avara säljer inte personuppgifter till tredje part.",
            "en": "Avara does not sell personal data to third parties.",
            "da": "Avara sælger ikke personoplysninger til tredjeparter."},
        "Uppgifterna finns i Avaras kundsystem, som 7Sense AS tillhandahåller enligt ett "
        "personuppgiftsbiträdesavtal.": {
            "sv": "Uppgifterna finns i Avaras kundsystem, som 7Sense AS tillhandahåller enligt ett "
                  "personuppgiftsbiträdesavtal.",
            "en": "The data is held in Avara's customer system, which 7Sense AS provides under a data processing "
                  "agreement.",
            "da": "Oplysningerne ligger i Avaras kundesystem, som 7Sense AS leverer i henhold til en "
                  "databehandleraftale."},
        "Vanlig e-post är inte krypterad; skicka inte känsliga eller konfidentiella uppgifter till Avara via "
        "e-post.": {
            "sv": "Vanlig e-post är inte krypterad; skicka inte känsliga eller konfidentiella uppgifter till Avara "
                  "via e-post.",
            "en": "Ordinary e-mail is not encrypted; do not send sensitive or confidential information to Avara by "
                  "e-mail.",
            "da": "Almindelig e-mail er ikke krypteret; send ikke følsomme eller fortrolige oplysninger til Avara "
                  "via e-mail."},
    },
    # Rows the loaders of the apps above the register create (retention rules, consent purposes, cookies): named by
    # label, as the register imports none of them. They get their languages when a demo load creates them
    # (``_translate_new_demo_row``) and, if they were there before, from the register's pass on the next load.
    ("retention.RetentionRule", "statement", "avara"): {
        "Active dialogue: kept 2 years from the last contact, then deleted.": {
            "sv": "Aktiv dialog: sparas i 2 år efter den senaste kontakten och raderas sedan.",
            "da": "Aktiv dialog: gemmes i 2 år efter den seneste kontakt og slettes derefter."},
        "Deleted at once if consent is withdrawn.": {
            "sv": "Raderas genast om samtycket återkallas.", "da": "Slettes straks, hvis samtykket trækkes tilbage."},
        "Until the person unsubscribes; then kept 2 years before deletion.": {
            "sv": "Tills personen avslutar prenumerationen; därefter sparas uppgifterna i 2 år innan de raderas.",
            "da": "Indtil personen opsiger abonnementet; derefter gemmes oplysningerne i 2 år, før de slettes."},
        "Only as long as the purpose of collection needs, then deleted; no specific period is stated.": {
            "sv": "Bara så länge ändamålet med insamlingen kräver, sedan raderas uppgifterna; någon bestämd tid "
                  "anges inte.",
            "da": "Kun så længe formålet med indsamlingen kræver det, derefter slettes oplysningerne; der er ikke "
                  "angivet nogen bestemt periode."},
        "Customer details in the customer system follow the 2-year rule.": {
            "sv": "Kunduppgifter i kundsystemet följer 2-årsregeln.",
            "da": "Kundeoplysninger i kundesystemet følger 2-årsreglen."},
        "Staff delete messages that are no longer relevant and review their mailbox at least yearly.": {
            "sv": "Medarbetarna raderar meddelanden som inte längre är relevanta och går igenom sin brevlåda minst "
                  "en gång om året.",
            "da": "Medarbejderne sletter beskeder, der ikke længere er relevante, og gennemgår deres postkasse "
                  "mindst én gang om året."},
    },
    ("consent.ConsentPurpose", "name", "avara"): {
        "Cookies": {"sv": "Kakor", "da": "Cookies"},
        "Newsletter and e-mail subscriptions": {
            "sv": "Nyhetsbrev och e-postprenumerationer", "da": "Nyhedsbreve og e-mailabonnementer"},
    },
    ("consent.Cookie", "purpose", "avara"): {
        "Save visitors from filling in fields each time they visit the website": {
            "sv": "Gör att besökare slipper fylla i fälten varje gång de besöker webbplatsen",
            "da": "Gør, at besøgende ikke skal udfylde felterne, hver gang de besøger webstedet"},
    },
    (DataSubjectCategory, "name", None): {
        "Customer": {"sv": "Kund", "da": "Kunde"},
        "Enquirer": {"sv": "Den som gör en förfrågan", "da": "Den, der henvender sig"},
        "Event participant": {"sv": "Deltagare i evenemang", "da": "Deltager i arrangementer"},
        "Newsletter subscriber": {"sv": "Prenumerant på nyhetsbrev", "da": "Abonnent på nyhedsbrev"},
        "Website visitor": {"sv": "Besökare på webbplatsen", "da": "Besøgende på webstedet"},
        "E-mail correspondent": {"sv": "Den som korresponderar via e-post", "da": "Korrespondent via e-mail"},
        "Prospect": {"sv": "Potentiell kund", "da": "Potentiel kunde"},
    },
    (DataSubjectCategory, "description", None): {
        "Person in an active or former customer relationship.": {
            "sv": "Person som har eller har haft en kundrelation.",
            "da": "Person, der har eller har haft et kundeforhold."},
        "Person who sends a contact form, chats with a bot or books a demo.": {
            "sv": "Person som skickar ett kontaktformulär, chattar med en bot eller bokar en demonstration.",
            "da": "Person, der sender en kontaktformular, chatter med en bot eller booker en demonstration."},
        "Person registered for an event, possibly run with an external party.": {
            "sv": "Person som anmält sig till ett evenemang, ibland tillsammans med en extern part.",
            "da": "Person, der har tilmeldt sig et arrangement, eventuelt sammen med en ekstern part."},
        "Person who chose to receive e-mail newsletters or other content.": {
            "sv": "Person som valt att få nyhetsbrev eller annat innehåll via e-post.",
            "da": "Person, der har valgt at modtage nyhedsbreve eller andet indhold via e-mail."},
        "Person browsing the organisation's website.": {
            "sv": "Person som besöker organisationens webbplats.",
            "da": "Person, der besøger organisationens websted."},
        "Internal or external person in day-to-day e-mail or phone contact.": {
            "sv": "Person inom eller utanför organisationen som man har daglig kontakt med via e-post eller telefon.",
            "da": "Person i eller uden for organisationen, som man har daglig kontakt med via e-mail eller telefon."},
        "Potential buyer met in sales meetings, fairs, conferences or an ongoing sales dialogue.": {
            "sv": "Möjlig köpare som man träffat på säljmöten, mässor eller konferenser eller har en pågående "
                  "försäljningsdialog med.",
            "da": "Mulig køber, som man har mødt til salgsmøder, messer eller konferencer eller har en igangværende "
                  "salgsdialog med."},
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
        "Professional details": {
            "sv": "Uppgifter om yrke och arbetsgivare", "da": "Oplysninger om job og arbejdsgiver"},
        "Device and browser data": {"sv": "Uppgifter om enhet och webbläsare", "da": "Oplysninger om enhed og browser"},
        "Website usage": {"sv": "Användning av webbplatsen", "da": "Brug af webstedet"},
    },
    (PersonalDataCategory, "description", None): {
        "First and last name.": {"sv": "För- och efternamn.", "da": "For- og efternavn."},
        "E-mail address, telephone number, postal address.": {
            "sv": "E-postadress, telefonnummer, postadress.", "da": "E-mailadresse, telefonnummer, postadresse."},
        "Employer or company, role or title, area of responsibility, industry, company address.": {
            "sv": "Arbetsgivare eller företag, roll eller titel, ansvarsområde, bransch, företagets adress.",
            "da": "Arbejdsgiver eller virksomhed, rolle eller titel, ansvarsområde, branche, virksomhedens adresse."},
        "Products or services the person is interested in or already has.": {
            "sv": "Produkter eller tjänster som personen är intresserad av eller redan har.",
            "da": "Produkter eller tjenester, som personen er interesseret i eller allerede har."},
        "Messages, form and chat answers, notes from calls and e-mails.": {
            "sv": "Meddelanden, svar i formulär och chatt, anteckningar från samtal och e-post.",
            "da": "Beskeder, svar i formularer og chat, noter fra opkald og e-mails."},
        "Cookie identifiers, local and session storage, eTags, pixels and tags.": {
            "sv": "Identifierare i kakor, lokal lagring och sessionslagring, eTaggar, pixlar och taggar.",
            "da": "Identifikatorer i cookies, lokal lagring og sessionslagring, eTags, pixels og tags."},
        "Browser type and language, operating system or platform, internet provider.": {
            "sv": "Typ av webbläsare och dess språk, operativsystem eller plattform, internetleverantör.",
            "da": "Browsertype og -sprog, styresystem eller platform, internetudbyder."},
        "Pages visited, entry and exit pages, referring URL, clicks, time stamps, events and conversions.": {
            "sv": "Besökta sidor, in- och utgångssidor, hänvisande URL, klick, tidsstämplar, händelser och "
                  "konverteringar.",
            "da": "Besøgte sider, indgangs- og udgangssider, henvisende URL, klik, tidsstempler, hændelser og "
                  "konverteringer."},
        "Newsletters and content the person chose to receive, opt-outs.": {
            "sv": "Nyhetsbrev och innehåll som personen valt att få, samt avregistreringar.",
            "da": "Nyhedsbreve og indhold, som personen har valgt at modtage, samt afmeldinger."},
    },
}


def model_of(model: type[models.Model] | str) -> type[models.Model]:
    return apps.get_model(model) if isinstance(model, str) else model


def _organisation_lookup(model: type[models.Model]) -> str:
    path = ORGANISATION_PATHS[model]
    return "slug" if path == "self" else f"{path}__slug"


def rows(model: type[models.Model] | str, field: str, slug: str | None, english: str):
    """The demo rows an entry translates: its key text in any of the row's languages (English, or the language
    the seed writes it in), within the organisation ``slug`` (None: rows shared by every organisation)."""
    model = model_of(model)
    written = models.Q()
    for language in AVAILABLE_LANGUAGES:
        written |= models.Q(**{f"{field}_{language}": english})
    found = model._default_manager.filter(written)
    if slug is None:
        return found
    return found.filter(**{_organisation_lookup(model): slug})


def _slug_of(instance: models.Model) -> str | None:
    path = ORGANISATION_PATHS.get(type(instance))
    obj = instance
    for name in ([] if path == "self" else (path or "").split("__")):
        obj = getattr(obj, name, None) if obj is not None else None
    return getattr(obj, "slug", None)


def _translate_new_demo_row(sender, instance, raw=False, **kwargs) -> None:
    """A row a demo loader above the register creates (a retention rule, a consent purpose, a cookie) is written
    with its languages: those loaders run after the register's, whose pass finds such rows only on the next load.
    Only a new row saved as "demo data", and only the languages still empty in it: nothing is overwritten."""
    if raw or not instance._state.adding or getattr(instance, "_change_reason", None) != DEMO_REASON:
        return
    for (model, field, slug), texts in TRANSLATIONS.items():
        if not isinstance(model, str) or model_of(model) is not sender:
            continue
        if slug is not None and _slug_of(instance) != slug:
            continue
        for language in AVAILABLE_LANGUAGES:
            languages = texts.get(getattr(instance, f"{field}_{language}", None) or "")
            if languages:
                break
        else:
            continue
        for language, text in languages.items():
            if getattr(instance, f"{field}_{language}") in (None, ""):
                setattr(instance, f"{field}_{language}", text)


for _model in dict.fromkeys(model for model, _field, _slug in TRANSLATIONS if isinstance(model, str)):
    pre_save.connect(_translate_new_demo_row, sender=_model, dispatch_uid=f"demo.translations:{_model}")
