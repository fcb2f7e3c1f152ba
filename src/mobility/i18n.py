"""The dashboard's words in German and English.

Every string a user sees goes through :func:`t`, so a page never holds a sentence of its
own and switching language is one sidebar widget. German comes first: the users are
German apprentices, advisers and city staff. Keys are dotted, grouped by page
(``apprentice.title``) or by kind (``field.trade``, ``status.active``). Placeholders
use :meth:`str.format` names.

Examples
--------
>>> t("nav.apprentice", "de")
'Praktikum finden'
>>> t("nav.apprentice", "en")
'Find a placement'
>>> t("common.fewer_than", "en", n=5)
'fewer than 5'
>>> t("no.such.key", "en")
Traceback (most recent call last):
...
KeyError: "no text for 'no.such.key'"
"""

from __future__ import annotations

#: Languages offered, the default first.
LANGUAGES: tuple[str, ...] = ("de", "en")

#: Names of the languages as shown in the switch (each in its own language).
LANGUAGE_NAMES: dict[str, str] = {"de": "Deutsch", "en": "English"}

# key -> (German, English)
_TEXTS: dict[str, tuple[str, str]] = {
    # --- app frame -------------------------------------------------------------------
    "app.title": ("Mobilität für Azubis", "Apprentice mobility"),
    "app.language": ("Sprache", "Language"),
    "app.synthetic_banner": (
        "Demodaten: Die Personen und Firmen in dieser Datenbank sind erfunden (synthetisch). "
        "Städte, Berufe und Partnerschaften sind echt.",
        "Demo data: the people and companies in this database are invented (synthetic). "
        "Cities, trades and partnerships are real.",
    ),
    "app.empty_db": (
        "Die Datenbank ist leer. Legen Sie sie mit `mobility init-db` an oder importieren Sie "
        "Daten auf der Seite „Vermittlung“.",
        "The database is empty. Create it with `mobility init-db` or import data on the "
        "“Match board” page.",
    ),
    "nav.apprentice": ("Praktikum finden", "Find a placement"),
    "nav.adviser": ("Vermittlung", "Match board"),
    "nav.municipality": ("Reichweite der Partnerschaften", "Partnership reach"),
    "nav.data": ("Daten und Einstellungen", "Data and settings"),
    "nav.section.roles": ("Rollen", "Roles"),
    "nav.section.settings": ("Verwaltung", "Administration"),
    # --- sign-in ---------------------------------------------------------------------
    "auth.form": ("Anmelden", "Sign in"),
    "auth.username": ("Benutzername", "Username"),
    "auth.password": ("Passwort", "Password"),
    "auth.submit": ("Anmelden", "Sign in"),
    "auth.wrong": ("Benutzername oder Passwort ist falsch.", "Wrong username or password."),
    "auth.locked": (
        "Zu viele fehlgeschlagene Anmeldungen für dieses Konto: Bitte in {minutes} Minuten "
        "erneut versuchen.",
        "Too many failed sign-ins for this account: try again in {minutes} minutes.",
    ),
    "auth.signed_in_as": ("Angemeldet als {user} ({scope})", "Signed in as {user} ({scope})"),
    "auth.sign_out": ("Abmelden", "Sign out"),
    "auth.signed_out": (
        "Sie sind abgemeldet. Zum erneuten Anmelden die Seite neu laden.",
        "You are signed out. Reload the page to sign in again.",
    ),
    "auth.cookie_note": (
        "Anmelde-Cookies nutzen einen für diese Installation erzeugten Schlüssel; für den "
        "echten Betrieb MOBILITY_COOKIE_KEY setzen.",
        "Sign-in cookies use a key generated for this installation; set "
        "MOBILITY_COOKIE_KEY for real use.",
    ),
    "auth.demo_accounts": (
        "Demo-Installation: Es gibt {n} Demo-Konten mit veröffentlichten Passwörtern (siehe "
        "README). Vor dem echten Einsatz mit `mobility user remove NAME` entfernen.",
        "Demo installation: {n} demo accounts with published passwords exist (see README). "
        "Remove them with `mobility user remove NAME` before real use.",
    ),
    "auth.sso": ("Mit Single Sign-on anmelden", "Sign in with single sign-on"),
    "auth.sso_unknown": (
        "Zu Ihrer Single-Sign-on-Identität gibt es hier kein Konto; bitte an die "
        "Administration wenden.",
        "Your single sign-on identity has no account here; ask an administrator.",
    ),
    "role.apprentice": ("Azubi", "apprentice"),
    "role.adviser": ("Beratung", "adviser"),
    "role.municipality": ("Kommune", "municipality"),
    "role.administrator": ("Administration", "administrator"),
    # --- common ----------------------------------------------------------------------
    "common.yes": ("ja", "yes"),
    "common.no": ("nein", "no"),
    "common.unknown": ("unbekannt", "unknown"),
    "common.fewer_than": ("weniger als {n}", "fewer than {n}"),
    "common.save": ("Speichern", "Save"),
    "common.none_found": ("Nichts gefunden.", "Nothing found."),
    "common.search": ("Suche", "Search"),
    "common.all": ("alle", "all"),
    "common.error": ("Fehler", "Error"),
    "common.km": ("{km:,.0f} km", "{km:,.0f} km"),
    "common.eur": ("{eur:,.0f} €", "€{eur:,.0f}"),
    "common.not_available": (
        "Dieser Teil ist noch nicht verfügbar: {what}.",
        "This part is not available yet: {what}.",
    ),
    # --- fields ----------------------------------------------------------------------
    "field.trade": ("Beruf", "Trade"),
    "field.home_city": ("Wohnort", "Home city"),
    "field.home_country": ("Land", "Country"),
    "field.languages": ("Sprachen", "Languages"),
    "field.language": ("Sprache", "Language"),
    "field.level": ("Niveau (GER)", "Level (CEFR)"),
    "field.available_from": ("Verfügbar ab", "Available from"),
    "field.available_to": ("Verfügbar bis", "Available to"),
    "field.desired_weeks": ("Gewünschte Wochen", "Desired weeks"),
    "field.preferred_countries": ("Bevorzugte Länder", "Preferred countries"),
    "field.max_distance": ("Höchstentfernung (km)", "Maximum distance (km)"),
    "field.training_year": ("Ausbildungsjahr", "Training year"),
    "field.fewer_opportunities": ("Mit geringeren Chancen", "Fewer opportunities"),
    "field.company": ("Firma", "Company"),
    "field.city": ("Stadt", "City"),
    "field.country": ("Land", "Country"),
    "field.score": ("Eignung", "Score"),
    "field.distance": ("Entfernung", "Distance"),
    "field.slots_left": ("Freie Plätze", "Places left"),
    "field.open_places": ("Offene Plätze", "Open places"),
    "field.status": ("Status", "Status"),
    "field.note": ("Notiz", "Note"),
    "field.explanation": ("Begründung", "Explanation"),
    "field.programmes": ("Förderprogramme", "Funding programmes"),
    "field.estimate": ("Förderschätzung", "Funding estimate"),
    "field.weeks": ("Wochen", "weeks"),
    "field.count": ("Anzahl", "Count"),
    "field.year": ("Jahr", "Year"),
    "field.municipality": ("Kommune", "Municipality"),
    "field.partner_city": ("Partnerstadt", "Partner city"),
    "field.since": ("seit", "since"),
    "field.source": ("Quelle", "Source"),
    "field.apprentice_id": ("Azubi-Nr.", "Apprentice id"),
    "field.placement_id": ("Platz-Nr.", "Placement id"),
    "field.name": ("Name", "Name"),
    "field.email": ("E-Mail", "E-mail"),
    "field.sending_organisation": ("Entsendende Einrichtung", "Sending organisation"),
    "field.rank": ("Rang", "Rank"),
    "field.distance_km": ("Entfernung (km)", "Distance (km)"),
    "field.twin_town": ("Partnerstadt", "Twin town"),
    "field.updated_by": ("Geändert von", "Changed by"),
    "field.updated_at": ("Geändert am", "Changed at"),
    "field.version": ("Version", "Version"),
    "field.synthetic": ("synthetisch", "synthetic"),
    "field.date_of_birth": ("Geburtsdatum", "Date of birth"),
    "field.isco08": ("ISCO-08", "ISCO-08"),
    "field.max_distance_km": ("Höchstentfernung (km)", "Maximum distance (km)"),
    "field.home_lat": ("Breite (Wohnort)", "Home latitude"),
    "field.home_lon": ("Länge (Wohnort)", "Home longitude"),
    "field.lat": ("Breite", "Latitude"),
    "field.lon": ("Länge", "Longitude"),
    "field.company_id": ("Firmen-Nr.", "Company id"),
    "field.slots": ("Plätze", "Places"),
    "field.start": ("Beginn", "Start"),
    "field.end": ("Ende", "End"),
    "field.min_weeks": ("Mindestens (Wochen)", "Minimum weeks"),
    "field.max_weeks": ("Höchstens (Wochen)", "Maximum weeks"),
    "field.accommodation": ("Unterkunft", "Accommodation"),
    "field.accepts_related_trades": ("Nimmt verwandte Berufe", "Accepts related trades"),
    "field.sector": ("Branche", "Sector"),
    "field.contact_email": ("Kontakt-E-Mail", "Contact e-mail"),
    "field.website": ("Website", "Website"),
    "field.apprentice_score": ("Eignung (Azubi)", "Score (apprentice)"),
    "field.host_score": ("Eignung (Betrieb)", "Score (host)"),
    "field.in_twin_town": ("In Partnerstadt", "In twin town"),
    "field.partner_country": ("Land der Partnerstadt", "Partner country"),
    "field.partner_lat": ("Breite (Partnerstadt)", "Partner latitude"),
    "field.partner_lon": ("Länge (Partnerstadt)", "Partner longitude"),
    "field.since_year": ("Seit (Jahr)", "Since (year)"),
    "field.active": ("aktiv", "active"),
    "field.partnerships": ("Partnerschaften", "Partnerships"),
    "field.apprentices": ("Azubis", "Apprentices"),
    "field.places_in_partners": ("Plätze in Partnerstädten", "Places in partner cities"),
    "component.trade": ("Teilwert Beruf", "Trade part"),
    "component.language": ("Teilwert Sprache", "Language part"),
    "component.twin_town": ("Teilwert Partnerstadt", "Twin-town part"),
    "component.preference": ("Teilwert Wunschland", "Preference part"),
    "component.distance": ("Teilwert Entfernung", "Distance part"),
    "component.training_year": ("Teilwert Ausbildungsjahr", "Training-year part"),
    "allocation.matched": ("vermittelt", "matched"),
    "allocation.no acceptable placement": ("kein passender Platz", "no acceptable placement"),
    "allocation.lost the competition": (
        "Platz an Passendere vergeben", "lost the competition"),
    "explain.same_trade": ("gleicher Beruf", "same trade"),
    "explain.related_trade": ("verwandter Beruf", "related trade"),
    "explain.other_trade": (
        "anderer Beruf, der Betrieb nimmt verwandte Berufe",
        "other trade; host takes related trades"),
    "explain.yours": ("Ihrer", "yours"),
    "explain.no_language": ("keine Sprache verlangt", "no language required"),
    "explain.language": (
        "{language} {have}, verlangt {need}", "{language} {have}, {need} required"),
    "explain.one_below": ("(eine Stufe darunter)", "(one level below)"),
    "explain.language_ok": ("Sprachkenntnisse reichen", "language level met"),
    "explain.language_one_below": (
        "Sprachkenntnisse eine Stufe unter der Anforderung", "language one level below"),
    "explain.level.native": ("Muttersprache", "native"),
    "explain.level.none": ("keine Kenntnisse", "none"),
    "explain.twin_town_of": ("{city} ist Partnerstadt von {home}", "{city} is {home}'s twin town"),
    "explain.twin_town": ("{city} ist eine Partnerstadt", "{city} is a twin town"),
    "explain.dormant": ("(ruhende Partnerschaft)", "(dormant twinning)"),
    "explain.preferred_country": ("Wunschland", "preferred country"),
    "funding.part.individual_support": ("individuelle Unterstützung", "individual support"),
    "funding.part.individual_support_learners": (
        "individuelle Unterstützung der Lernenden", "individual support for learners"),
    "funding.part.scholarship": ("Stipendium", "scholarship"),
    "funding.part.travel_subsidy": ("Reisekostenzuschuss", "travel subsidy"),
    "funding.part.grant": ("Zuschuss", "grant"),
    "funding.reason.no daily rates entered": (
        "keine Tagessätze eingetragen", "no daily rates entered"),
    "funding.reason.no rate for this country group": (
        "kein Satz für diese Ländergruppe", "no rate for this country group"),
    "funding.reason.no stated amount": ("kein Betrag angegeben", "no stated amount"),
    "funding.reason.amounts not in the sources": (
        "Beträge nicht in den Quellen", "amounts not in the sources"),
    "funding.reason.amounts unknown": ("Beträge unbekannt", "amounts unknown"),
    # --- funding rules: why a programme fits or not (helper funding) ------------------
    "funding.why.not_running": (
        "{programme} läuft nicht mehr", "{programme} is not running any more"),
    "funding.why.individual_unconfirmed": (
        "{programme}: Förderung einzelner Praktika von Auszubildenden ist in den Quellen "
        "nicht bestätigt",
        "{programme}: funding for individual apprentice placements is not confirmed in the "
        "sources"),
    "funding.why.group_only": (
        "{programme} ist ein Gruppenaustausch (mindestens {n} Teilnehmende): ein "
        "Einzelpraktikum ist nicht förderfähig",
        "{programme} is a group exchange (at least {n} participants): an individual "
        "placement is not eligible"),
    "funding.why.not_abroad": (
        "das Ziel liegt im Heimatland: kein Auslandsaufenthalt",
        "the destination is in the home country: not a stay abroad"),
    "funding.why.destination": ("{programme} fördert nur {what}", "{programme} covers {what} only"),
    "funding.dest.erasmus": (
        "EU-Mitgliedstaaten und mit dem Programm assoziierte Länder",
        "EU member states and associated countries"),
    "funding.dest.non_erasmus": ("Länder außerhalb von Erasmus+", "countries outside Erasmus+"),
    "funding.dest.several": ("mehrere Länder", "several countries"),
    "funding.join.and": (" und ", " and "),
    "funding.join.or": (" oder ", " or "),
    "funding.why.min_days": (
        "{programme} verlangt mindestens {n} Tage", "{programme} needs at least {n} days"),
    "funding.why.max_days": (
        "{programme} erlaubt höchstens {n} Tage", "{programme} allows at most {n} days"),
    "funding.why.status": ("{programme} ist nur für {who}", "{programme} is for {who} only"),
    "funding.who.apprentice": ("Auszubildende", "apprentices"),
    "funding.who.recent_graduate": (
        "Absolventinnen und Absolventen bis 12 Monate nach dem Abschluss", "recent graduates"),
    "funding.who.graduate": ("Absolventinnen und Absolventen", "graduates"),
    "funding.why.age": (
        "{programme} verlangt Teilnehmende {limit}", "{programme} requires participants {limit}"),
    "funding.age.between": ("im Alter von {low} bis {high} Jahren", "aged {low} to {high}"),
    "funding.age.at_least": ("ab {n} Jahren", "at least {n} years old"),
    "funding.age.at_most": ("bis {n} Jahre", "at most {n} years old"),
    "funding.caveat.age": ("Alter unbekannt: {why}", "age unknown: {why}"),
    "funding.why.region": (
        "{programme} ist für Auszubildende aus {region} ({code})",
        "{programme} is for apprentices from {region} ({code})"),
    "funding.caveat.region": (
        "Heimatland (Bundesland) unbekannt: {programme} ist für Auszubildende aus {region}",
        "home region unknown: {programme} is for apprentices from {region}"),
    "funding.region.DE-NW": ("Nordrhein-Westfalen", "North Rhine-Westphalia"),
    "funding.region.DE-BW": ("Baden-Württemberg", "Baden-Württemberg"),
    "funding.why.twin_town": (
        "{programme} gilt nur in einer Partnerstadt der Heimatkommune",
        "{programme} applies only in a twin town of the home municipality"),
    "funding.caveat.twin_town": (
        "Partnerstadt unbekannt: {programme} gilt nur in einer Partnerstadt",
        "twin town unknown: {programme} applies only in a twin town"),
    "funding.erasmus_on_condition": (
        "Erasmus+: {eur:,.0f} € bekannt, {condition}", "Erasmus+: €{eur:,.0f} known, {condition}"),
    "funding.details": ("Förderung im Einzelnen", "Funding in detail"),
    "funding.parts_title": (
        "**Bestandteile** (Tabelle und Aufrufjahr):", "**Parts** (table and call year):"),
    "funding.why_not_title": ("**Warum andere Programme nicht passen:**",
                              "**Why other programmes do not fit:**"),
    "org.title": ("Entsendende Einrichtung: Erasmus-Akkreditierung und OID",
                  "Sending organisation: Erasmus accreditation and OID"),
    "org.help": (
        "Einrichtungen mit Erasmus-Akkreditierung in der Berufsbildung dürfen bis zu 20 % "
        "ihrer Förderung für Aufenthalte in nicht assoziierten Drittländern (z. B. "
        "Vereinigtes Königreich, Schweiz, USA) nutzen, zu denselben Stückkosten. Die "
        "Schätzungen richten sich nach diesem Eintrag; ohne Eintrag heißt es „hängt von der "
        "Akkreditierung ab“.",
        "Organisations holding an Erasmus accreditation in VET may spend up to 20% of their "
        "grant on stays in non-associated third countries (e.g. United Kingdom, Switzerland, "
        "USA) at the same unit costs. Estimates follow this record; without one they say "
        "\"depends on accreditation\"."),
    "org.name": ("Einrichtung", "Organisation"),
    "org.new": ("– neue Einrichtung –", "– new organisation –"),
    "org.new_name": ("Name der neuen Einrichtung", "Name of the new organisation"),
    "org.accredited": ("hat eine Erasmus-Akkreditierung (Berufsbildung)",
                       "holds an Erasmus accreditation (VET)"),
    "org.accredited_short": ("akkreditiert", "accredited"),
    "org.oid": ("OID (Erasmus+-Organisations-ID)", "OID (Erasmus+ organisation ID)"),
    "org.oid_help": ("E und 8 Ziffern, z. B. E10012345", "E and 8 digits, e.g. E10012345"),
    "org.accreditation_id": ("Akkreditierungsnummer (optional)",
                             "Accreditation number (optional)"),
    "org.updated": ("Zuletzt geändert von {who} am {when}", "Last changed by {who} on {when}"),
    "org.changed_by": ("geändert von", "changed by"),
    "org.changed_at": ("geändert am", "changed on"),
    "org.yes": ("ja", "yes"),
    "org.no": ("nein", "no"),
    "groups.title": ("Ländergruppen der individuellen Unterstützung",
                     "Country groups of individual support"),
    "groups.help": (
        "Die Tagessätze hängen von der Ländergruppe des Ziellandes ab. Die Neuordnung von "
        "2024 (Deutschland, Österreich, Belgien, Frankreich, Italien, Niederlande in Gruppe 1) "
        "ist für die Hochschulbildung bestätigt, für die Berufsbildung nicht geprüft: Sie gilt "
        "nur, wenn sie hier gewählt wird. Jede Schätzung nennt die verwendete Tabelle.",
        "Daily rates depend on the destination's country group. The 2024 regrouping "
        "(Germany, Austria, Belgium, France, Italy, the Netherlands into group 1) is confirmed "
        "for higher education, unverified for VET: it applies only when selected here. Every "
        "estimate names the table it used."),
    "groups.pick": ("Tabelle für alle Schätzungen", "Table for every estimate"),
    "groups.verified": ("für die Berufsbildung in Gebrauch", "in use for VET"),
    "groups.unverified": ("für Hochschulbildung bestätigt, für Berufsbildung nicht geprüft",
                          "confirmed for higher education, unverified for VET"),
    "groups.countries": ("Länder", "Countries"),
    "groups.save": ("Diese Tabelle verwenden", "Use this table"),
    "funding.cli.days": ("{n} Tage", "{n} days"),
    "funding.cli.distance": (
        "Entfernung: {km:,.0f} km einfach (Großkreis); Band {band} [{table}]",
        "distance: {km:,.0f} km one-way (great circle); band {band} [{table}]"),
    "funding.cli.flags": (
        "Partnerstadt: {twin}; grünes Reisen: {green}; geringere Chancen: {fewer}",
        "twin town: {twin}; green travel: {green}; fewer opportunities: {fewer}"),
    "funding.cli.unknown": ("unbekannt", "unknown"),
    "funding.cli.not_recorded": ("nicht erfasst", "not recorded"),
    "funding.cli.no_rates": ("keine eingetragen (individuelle Unterstützung unbekannt)",
                             "none entered (individual support unknown)"),
    "funding.cli.daily_rates": ("Tagessätze: {rates}", "daily rates: {rates}"),
    "funding.cli.groups": ("Ländergruppen: {table}", "country groups: {table}"),
    "funding.cli.accredited": ("entsendende Einrichtung akkreditiert (Erasmus): {accredited}",
                               "sending organisation accredited (Erasmus): {accredited}"),
    "funding.cli.eligible": ("passende Programme:", "eligible programmes:"),
    "funding.cli.none_eligible": ("kein Programm passt", "no programme is eligible"),
    "funding.cli.not_eligible": ("nicht passend:", "not eligible:"),
    "funding.cli.if_accredited": ("wenn die entsendende Einrichtung akkreditiert ist:",
                                  "if the sending organisation is accredited:"),
    "funding.cli.amount_unknown": ("Betrag unbekannt", "amount unknown"),
    "funding.cli.eur": ("{eur:,.0f} EUR", "{eur:,.0f} EUR"),
    "funding.cli.eur_cents": ("{eur:,.2f} EUR", "{eur:,.2f} EUR"),
    "funding.cli.eur_at_least": ("mindestens {eur:,.0f} EUR", "{eur:,.0f} EUR at least"),
    "funding.cli.no_record": ("{name}: kein Eintrag", "{name}: no record"),
    "funding.cli.record": ("{name}: erfasst von {who} am {when}",
                           "{name}: recorded by {who} on {when}"),
    "funding.cli.given": ("in der Befehlszeile angegeben", "given on the command line"),
    "funding.cli.condition": ("Bedingung: {condition}", "condition: {condition}"),
    "funding.cli.check": ("prüfen: {caveats}", "check: {caveats}"),
    "funding.cli.missing_amount": ("FEHLT", "MISSING"),
    "funding.cli.missing": ("fehlt: {parts}", "missing: {parts}"),
    "funding.status.computed": ("berechnet", "computed"),
    "funding.status.indicative": ("Richtwert", "indicative"),
    "funding.status.missing": ("fehlt", "missing"),
    "funding.status.not_applicable": ("entfällt", "not applicable"),
    "funding.export_csv": ("Förderung je Zuordnung (CSV)", "Funding per match (CSV)"),
    "funding.export_xlsx": ("Förderung je Zuordnung (XLSX)", "Funding per match (XLSX)"),
    "funding.used.travel_support": ("Reisekostentabelle Berufsbildung, Aufruf {year}",
                                     "VET travel table, call {year}"),
    "funding.used.travel_support_alt": (
        "Reisekostentabelle der Hochschulbildung, Aufruf {year}",
        "higher-education travel table, call {year}"),
    "funding.used.unit_cost": ("Stückkosten {item}, Aufruf {year}",
                                "unit cost {item}, call {year}"),
    "funding.used.groups": ("{name} (Aufruf {year}; {status})",
                             "{name} (call {year}; {status})"),
    "funding.used.groups.country_groups_2021": ("Ländergruppen der Aufrufe 2021–2023",
                                                 "country groups of the 2021–2023 calls"),
    "funding.used.groups.country_groups_2024": ("Ländergruppen ab dem Aufruf 2024",
                                                 "country groups from the 2024 call"),
    "funding.used.daily_rates": (
        "Tagessätze Aufruf {year}, Fassung {version} (eingetragen von {who} am {when}; "
        "Quelle: {source})",
        "daily rates call {year}, version {version} (entered by {who} on {when}; "
        "source: {source})"),
    "funding.used.no_rates": ("Tagessätze: keine eingetragen", "daily rates: none entered"),
    "funding.used.amounts": ("Beträge laut Programmquelle", "amounts stated by the programme"),
    "funding.part.travel": ("Reise", "travel"),
    "funding.part.organisational_support": ("organisatorische Unterstützung",
                                            "organisational support"),
    "funding.part.linguistic_support": ("sprachliche Unterstützung", "linguistic support"),
    "funding.part.inclusion_support": ("Inklusionsunterstützung", "inclusion support"),
    "funding.condition.depends_on_accreditation": (
        "hängt von der Akkreditierung ab: nur für akkreditierte Einrichtungen, im Rahmen ihres "
        "20-%-Budgets für internationale Mobilität (ob die entsendende Einrichtung akkreditiert "
        "ist, ist nicht erfasst)",
        "depends on accreditation: only for accredited organisations, within their 20% "
        "international budget (whether the sending organisation is accredited is not "
        "recorded)"),
    "funding.condition.accredited": (
        "nur für akkreditierte Einrichtungen, im Rahmen ihres 20-%-Budgets für internationale "
        "Mobilität",
        "only for accredited organisations, within their 20% international budget"),
    "funding.why.not_accredited": (
        "{programme} fördert Aufenthalte in einem nicht mit Erasmus+ assoziierten Drittland "
        "({country}) nur über Einrichtungen mit Erasmus-Akkreditierung, und die entsendende "
        "Einrichtung ist nicht akkreditiert",
        "{programme} funds stays in a third country not associated to Erasmus+ ({country}) "
        "only through organisations holding an Erasmus accreditation, and the sending "
        "organisation is not accredited"),
    "funding.why.accreditation_unknown": (
        "{programme} in einem nicht mit Erasmus+ assoziierten Drittland ({country}) hängt von "
        "der Akkreditierung ab: {condition} (ob die entsendende Einrichtung akkreditiert ist, "
        "ist nicht erfasst)",
        "{programme} in a third country not associated to Erasmus+ ({country}) depends on "
        "accreditation: {condition} (whether the sending organisation is accredited is not "
        "recorded)"),
    # --- statuses --------------------------------------------------------------------
    "status.active": ("aktiv", "active"),
    "status.dormant": ("ruhend", "dormant"),
    "status.suspended": ("ausgesetzt", "suspended"),
    "pipeline.suggested": ("vorgeschlagen", "suggested"),
    "pipeline.contacted": ("kontaktiert", "contacted"),
    "pipeline.confirmed": ("bestätigt", "confirmed"),
    "pipeline.completed": ("abgeschlossen", "completed"),
    "pipeline.declined": ("abgelehnt", "declined"),
    # --- maps ------------------------------------------------------------------------
    "map.home": ("Wohnort", "home"),
    "map.twin_lines": ("Partnerstädte", "Twin towns"),
    "map.twin_town": ("Partnerstadt", "Twin town"),
    "map.other_town": ("andere Stadt", "other town"),
    # --- apprentice page -------------------------------------------------------------
    "apprentice.title": ("Praktikum im Ausland finden", "Find a placement abroad"),
    "apprentice.intro": (
        "Sagen Sie uns, was Sie lernen und was Sie können: Wir zeigen passende Plätze, "
        "zuerst in den Partnerstädten Ihres Wohnorts, und wer die Reise bezahlt.",
        "Tell us what you are training for and what you can do: we show placements that "
        "fit, first in your home town's twin towns, and who pays for the stay.",
    ),
    "apprentice.profile": ("Ihr Profil", "Your profile"),
    "apprentice.trade_help": (
        "Tippen Sie zum Suchen: Berufsbezeichnung, Synonym oder englischer Name.",
        "Type to search: official name, a synonym or the English name.",
    ),
    "apprentice.city_help": (
        "Ort in Deutschland (Offline-Verzeichnis GeoNames).",
        "Town in Germany (offline GeoNames gazetteer).",
    ),
    "apprentice.city_suggestions": ("Meinten Sie: {cities}?", "Did you mean: {cities}?"),
    "apprentice.any_country": ("alle Länder", "any country"),
    "apprentice.no_limit": ("0 = keine Grenze", "0 = no limit"),
    "apprentice.language_n": ("Sprache {n}", "Language {n}"),
    "apprentice.submit": ("Plätze suchen", "Find placements"),
    "apprentice.filters": ("Filter", "Filters"),
    "apprentice.only_twin": ("Nur Partnerstädte", "Twin towns only"),
    "apprentice.only_funded": ("Nur mit Förderung", "Only with funding"),
    "apprentice.min_score": ("Mindesteignung", "Minimum score"),
    "apprentice.results": ("{n} passende Plätze", "{n} matching placements"),
    "apprentice.no_results": (
        "Keine passenden Plätze. Versuchen Sie eine größere Entfernung, andere Länder oder "
        "einen längeren Zeitraum.",
        "No placements fit. Try a larger distance, other countries or a longer window.",
    ),
    "apprentice.twin_badge": ("Partnerstadt von {city}", "Twin town of {city}"),
    "apprentice.save": ("Merken", "Save"),
    "apprentice.saved": ("Gemerkt", "Saved"),
    "apprentice.interest": ("Interesse melden", "Mark interest"),
    "apprentice.interested": ("Interesse gemeldet", "Interest marked"),
    "apprentice.my_list": ("Meine Merkliste", "My saved placements"),
    "apprentice.list_empty": ("Noch nichts gemerkt.", "Nothing saved yet."),
    "apprentice.who": ("Ich bin", "I am"),
    "apprentice.new_profile": ("neues Profil", "new profile"),
    "apprentice.map": ("Karte", "Map"),
    "apprentice.no_programme": ("kein Programm passt", "no programme fits"),
    "apprentice.estimate_missing": (
        "Teil fehlt: {what}", "part missing: {what}",
    ),
    # --- adviser page ----------------------------------------------------------------
    "adviser.title": ("Vermittlung", "Match board"),
    "adviser.caseload": ("Fallliste", "Caseload"),
    "adviser.import": ("Daten importieren", "Import data"),
    "adviser.import_kind": ("Art der Datei", "Kind of file"),
    "adviser.import_file": ("CSV- oder XLSX-Datei", "CSV or XLSX file"),
    "adviser.import_check": ("Prüfen", "Check"),
    "adviser.import_ok": (
        "{n} Zeilen geprüft, keine Fehler. Noch nichts gespeichert.",
        "{n} rows checked, no problems. Nothing written yet.",
    ),
    "adviser.import_bad": (
        "{n} Probleme gefunden. Es wurde nichts gespeichert.",
        "{n} problems found. Nothing was written.",
    ),
    "adviser.import_write": ("In die Datenbank schreiben", "Write to the database"),
    "adviser.import_done": ("{n} Zeilen gespeichert.", "{n} rows written."),
    "adviser.allocation": ("Verteilung berechnen", "Batch allocation"),
    "adviser.method": ("Verfahren", "Method"),
    "adviser.method.stable": (
        "stabil – fair: niemand wird von jemandem übergangen, den der Betrieb weniger "
        "passend findet",
        "stable – fair: nobody is passed over by someone the host likes less",
    ),
    "adviser.method.optimal": (
        "optimal – möglichst viel Gesamteignung",
        "optimal – as much total fit as possible",
    ),
    "adviser.weights": ("Gewichte", "Weights"),
    "adviser.budget": ("Projektbudget (€)", "Project budget (€)"),
    "adviser.run": ("Verteilung starten", "Run allocation"),
    "adviser.summary": ("Ergebnis", "Summary"),
    "adviser.matched": ("Vermittelt", "Matched"),
    "adviser.unmatched": ("Ohne Platz", "Unmatched"),
    "adviser.twin_share": ("Anteil Partnerstädte", "Twin-town share"),
    "adviser.funding_total": ("Förderschätzung gesamt", "Total funding estimate"),
    "adviser.over_budget": (
        "Die Schätzung übersteigt das Budget um {eur:,.0f} €.",
        "The estimate exceeds the budget by €{eur:,.0f}.",
    ),
    "adviser.within_budget": ("Im Budget.", "Within budget."),
    "adviser.lower_bound": (
        "Untergrenze: Bei {n} Zuordnungen fehlen Teile der Schätzung (z. B. Tagessätze).",
        "Lower bound: parts of the estimate are missing for {n} matches (e.g. daily rates).",
    ),
    "adviser.why_unmatched": ("Warum ohne Platz", "Why unmatched"),
    "adviser.shortlist": ("Vorschläge je Azubi", "Shortlist per apprentice"),
    "adviser.pick": ("Azubi", "Apprentice"),
    "adviser.status_saved": ("Status gespeichert.", "Status saved."),
    "adviser.add_to_shortlist": ("Zur Vorschlagsliste", "Add to shortlist"),
    "adviser.override": ("Zuordnung von Hand ändern", "Manual override"),
    "adviser.override_placement": ("Platz", "Placement"),
    "adviser.override_done": ("Zuordnung geändert.", "Match changed."),
    "adviser.exports": ("Exporte", "Exports"),
    "adviser.export_csv": ("Zuordnungen als CSV", "Matches as CSV"),
    "adviser.export_xlsx": ("Zuordnungen als XLSX", "Matches as XLSX"),
    "adviser.export_bm": ("Datei für das Beneficiary Module", "Beneficiary Module file"),
    "adviser.progress": ("Berechne …", "Working …"),
    "adviser.no_allocation": (
        "Noch keine Verteilung berechnet.", "No allocation computed yet."),
    # --- adviser desk: runs, working plan, shortlist history, overrides, import ------
    "runs.title": ("Verteilungsläufe", "Allocation runs"),
    "runs.none": ("Noch keine Verteilung gespeichert.", "No allocation stored yet."),
    "runs.method.stable": ("stabil", "stable"),
    "runs.method.optimal": ("optimal", "optimal"),
    "runs.method.ranked": ("Rangliste", "ranked"),
    "runs.adopted": ("Arbeitsplan", "working plan"),
    "runs.header": ("Lauf vom {date}, {time} Uhr · {method} · {who}",
                    "Run of {date}, {time} · {method} · {who}"),
    "runs.approximate": (
        "Näherungslösung: nicht garantiert stabil bzw. optimal.",
        "Approximate: not guaranteed stable or optimal."),
    "runs.exact": ("exakt", "exact"),
    "runs.exactness": ("Lösung", "Solution"),
    "runs.is_plan": ("Dieser Lauf ist der Arbeitsplan Ihrer Organisation.",
                     "This run is your organisation's working plan."),
    "runs.adopt": ("Als Arbeitsplan übernehmen", "Adopt as working plan"),
    "runs.plan": ("Arbeitsplan", "Working plan"),
    "field.stay_start": ("Aufenthalt ab", "Stay from"),
    "field.stay_end": ("Aufenthalt bis", "Stay until"),
    "field.stay_days": ("Aufenthalt (Tage)", "Stay (days)"),
    "field.solution": ("Lösung", "Solution"),
    "runs.adopt_needs_organisation": (
        "Arbeitspläne gehören einer entsendenden Organisation; als Verwaltung können Sie "
        "Läufe ansehen, aber keinen übernehmen.",
        "Working plans belong to a sending organisation; as an administrator you can view "
        "runs but not adopt one."),
    "shortlist.read_only": ("Ihre Rolle darf Vorschlagslisten nur ansehen.",
                            "Your role may only view shortlists."),
    "adviser.exports_not_allowed": (
        "Ihre Rolle darf keine personenbezogenen Daten exportieren.",
        "Your role may not export personal data."),
    "runs.when": ("Zeitpunkt", "When"),
    "runs.pick": ("Lauf", "Run"),
    "runs.open": ("Lauf öffnen", "Open run"),
    "runs.opened": ("Lauf geöffnet: siehe „Verteilung berechnen“.",
                    "Run opened: see “Batch allocation”."),
    "runs.compare": ("Läufe vergleichen", "Compare runs"),
    "runs.left": ("Lauf A", "Run A"),
    "runs.right": ("Lauf B", "Run B"),
    "runs.figure": ("Kennzahl", "Figure"),
    "runs.figure.matched": ("Vermittelt", "Matched"),
    "runs.figure.unmatched": ("Ohne Platz", "Unmatched"),
    "runs.figure.twin_share": ("Anteil Partnerstädte", "Twin-town share"),
    "runs.figure.funding_total": ("Förderschätzung gesamt", "Total funding estimate"),
    "runs.figure.total_score": ("Summe der Passung", "Total fit"),
    "runs.changes": ("{n} Azubis wechseln den Platz.", "{n} apprentices change placement."),
    "runs.no_place": ("kein Platz", "no placement"),
    "plan.source.plan": ("Arbeitsplan", "working plan"),
    "plan.source.override": ("von Hand", "manual override"),
    "plan.source.confirmed": ("bestätigt", "confirmed"),
    "shortlist.sort": ("Sortieren nach", "Sort by"),
    "shortlist.sort.updated_at": ("letzter Änderung", "last change"),
    "shortlist.sort.company": ("Betrieb", "company"),
    "shortlist.sort.status": ("Status", "status"),
    "shortlist.ids": ("Platz-ID {placement}", "Placement id {placement}"),
    "shortlist.new_note": ("Neue Notiz", "New note"),
    "shortlist.note_event": ("Notiz von {who}, {when}: {text}", "Note by {who}, {when}: {text}"),
    "shortlist.interest": ("Interesse bekundet von {who}, {when}",
                           "Interest marked by {who}, {when}"),
    "shortlist.override_event": (
        "Von Hand zugeordnet von {who}, {when}: {reason} (verletzt: {breaks})",
        "Manual override by {who}, {when}: {reason} (breaks: {breaks})"),
    "shortlist.conflict": (
        "Dieser Eintrag wurde inzwischen von {who} geändert ({when}). Bitte neu laden; "
        "Ihre Eingaben bleiben stehen.",
        "This entry was changed by {who} meanwhile ({when}). Please reload; what you typed "
        "stays."),
    "shortlist.gone": ("Dieser Eintrag existiert nicht mehr. Bitte neu laden.",
                       "This entry no longer exists. Please reload."),
    "shortlist.reload": ("Neu laden", "Reload"),
    "override.reason": ("Begründung (Pflicht)", "Reason (required)"),
    "override.reason_needed": ("Bitte begründen Sie die Zuordnung von Hand.",
                               "Please give a reason for the manual override."),
    "override.breaks": ("Diese Zuordnung verletzt harte Regeln:",
                        "This match breaks hard rules:"),
    "override.breaks_none": ("keine harten Regeln verletzt", "no hard rule broken"),
    "override.explained": ("Von Hand: {reason} (verletzt: {breaks})",
                           "Manual override: {reason} (breaks: {breaks})"),
    "override.rule.trade": ("Beruf", "trade"),
    "override.rule.language": ("Sprache", "language"),
    "override.rule.dates": ("Zeitraum", "dates"),
    "override.rule.distance": ("Entfernung", "distance"),
    "override.rule.capacity": ("Plätze", "capacity"),
    "override.break.trade": (
        "Beruf: {trade} passt nicht zu {required}, auch nicht als verwandter oder vom "
        "Betrieb genannter weiterer Beruf.",
        "Trade: {trade} does not fit {required}, not even as a related trade or one the "
        "host names."),
    "override.break.language": (
        "Sprache: verlangt {required}; keine davon wird (bis auf eine Stufe) gesprochen.",
        "Language: {required} required; none of them is spoken (within one level)."),
    "override.break.dates": (
        "Zeitraum: nur {days} gemeinsame Tage, der Betrieb verlangt mindestens {needed}.",
        "Dates: only {days} days in common, the host needs at least {needed}."),
    "override.break.distance": (
        "Entfernung: {km} km, gewünscht höchstens {limit} km.",
        "Distance: {km} km, at most {limit} km wanted."),
    "override.break.capacity": (
        "Plätze: alle {slots} Plätze sind schon vergeben ({taken} geplant oder bestätigt).",
        "Capacity: all {slots} places are taken ({taken} planned or confirmed)."),
    "erase.title": ("Personenbezogene Daten löschen", "Erase personal data"),
    "erase.help": (
        "Entfernt Datensatz, Merkliste, Notizen und Konto; das Protokoll behält nur ein "
        "Pseudonym. Nicht umkehrbar.",
        "Removes the record, shortlist, notes and account; the audit trail keeps only a "
        "pseudonym. Cannot be undone."),
    "erase.confirm": ("ID zur Bestätigung", "Type the id to confirm"),
    "erase.go": ("Löschen", "Erase"),
    "import.kind.apprentices": ("Azubis", "Apprentices"),
    "import.kind.companies": ("Gastbetriebe", "Host companies"),
    "import.kind.placements": ("Praktikumsplätze", "Placements"),
    "import.kind.partnerships": ("Partnerschaften", "Partnerships"),
    "import.nothing_allowed": ("Ihre Rolle darf keine Daten importieren.",
                               "Your role may not import data."),
    "import.foreign_row": (
        "Diese Zeile gehört zu einer anderen Organisation oder nutzt eine dort vergebene ID; "
        "Sie dürfen nur Azubis Ihrer eigenen Organisation importieren.",
        "This row belongs to another organisation or uses an id taken there; you may "
        "import only your own organisation's apprentices."),
    "import.row": ("Zeile", "Row"),
    "import.column": ("Spalte", "Column"),
    "import.value": ("Wert", "Value"),
    "import.message": ("Problem", "Problem"),
    "import.problems_csv": ("Probleme als CSV", "Problems as CSV"),
    "import.problems_xlsx": ("Probleme als XLSX", "Problems as XLSX"),
    "import.file": ("Datei", "File"),  # issue 11: the file column of show_error's table
    # --- municipality page -----------------------------------------------------------
    "municipality.title": ("Reichweite der Partnerschaften", "Partnership reach"),
    "municipality.intro": (
        "Nur Summen: keine Namen, und Zahlen unter 5 werden als „weniger als 5“ gezeigt.",
        "Aggregates only: no names, and counts below 5 are shown as “fewer than 5”.",
    ),
    "municipality.pick": ("Kommune", "Municipality"),
    "municipality.partners": ("Partnerstädte", "Partner cities"),
    "municipality.hosts": ("Gastbetriebe", "Host companies"),
    "municipality.places_by_trade": ("Offene Plätze nach Beruf", "Open places by trade"),
    "municipality.placed": ("Vermittelt", "Placed"),
    "municipality.shortlisted": ("Vorgeschlagen", "Shortlisted"),
    "municipality.gaps": ("Lücken", "Gaps"),
    "municipality.gaps_help": (
        "Berufe, in denen Azubis aus {city} lernen, die aber keine Partnerstadt anbietet.",
        "Trades {city}'s apprentices train in that no partner city offers.",
    ),
    "municipality.no_gaps": ("Keine Lücken.", "No gaps."),
    "municipality.trends": ("Entwicklung", "Trends"),
    "municipality.trend_chart": (
        "Partnerschaften nach Gründungsjahr", "Partnerships by founding year"),
    "municipality.comparison": ("Vergleich der Kommunen", "Comparison of municipalities"),
    "municipality.apprentices": ("Azubis", "Apprentices"),
    "municipality.partnerships": ("Partnerschaften", "Partnerships"),
    "municipality.places_in_partners": (
        "Plätze in Partnerstädten", "Places in partner cities"),
    # --- data and settings page ------------------------------------------------------
    "data.title": ("Daten und Einstellungen", "Data and settings"),
    "data.partnerships": ("Partnerschaften", "Partnerships"),
    "data.programmes": ("Förderprogramme", "Funding programmes"),
    "data.rates": ("Erasmus+-Sätze", "Erasmus+ rates"),
    "data.daily_rates": ("Tagessätze für Lernende", "Daily learner rates"),
    "data.daily_rates_help": (
        "Für diese Sätze wurde keine Quelle gefunden. Tragen Sie die Sätze des aktuellen "
        "Aufrufs Ihrer Nationalen Agentur ein; bis dahin fehlt dieser Teil der Schätzung.",
        "No source was found for these rates. Enter your national agency's rates of the "
        "current call; until then the estimate leaves this part out and says so.",
    ),
    "data.sources": ("Quellen und Lizenzen", "Sources and licences"),
    "data.demo_notice": ("Hinweis zu Demodaten", "Demo-data notice"),
    "data.saved": ("Gespeichert.", "Saved."),
    "data.country_group": ("Ländergruppe", "Country group"),
    "data.eur_per_day": ("EUR/Tag", "EUR/day"),
    "data.group_rate": ("Gruppe {g} (EUR/Tag)", "Group {g} (EUR/day)"),
    "data.filter_city": ("Kommune filtern", "Filter by municipality"),
    # Matching engine (helper "match"): approximate runs say so in words.
    "match.approximate": (
        "Näherung: nur die besten Kandidaten je Person wurden betrachtet; das Ergebnis "
        "ist nicht garantiert stabil bzw. optimal.",
        "Approximate: only each person's best candidates were considered; the result is "
        "not guaranteed to be stable or optimal.",
    ),
    "match.exact": (
        "Exakt: alle zulässigen Paare wurden berücksichtigt.",
        "Exact: every acceptable pair was taken into account.",
    ),
    # --- twin towns for all of Germany, trades, reference data (helper "data") --------
    "explain.twin_borough": ("{city}, im Partnerbezirk {via} von {home}",
                             "{city}, in {home}'s partner borough {via}"),
    "explain.unconfirmed": ("(unbestätigte Partnerschaft)", "(unconfirmed twinning)"),
    "field.source_id": ("Quellenkennung", "Source id"),
    "field.listed_on": ("Gelistet auf", "Listed on"),
    "data.demo_trade_mix": (
        "Die Berufe der Demodaten sind nach den neu abgeschlossenen Ausbildungsverträgen 2024 "
        "gewichtet (BIBB, in data/trades.csv); Berufe ohne "
        "BIBB-Zahl (z. B. Pflegefachmann/-frau, von Destatis gezählt) kommen nicht vor.",
        "The demo data's trades are weighted by the new training contracts of 2024 (BIBB, "
        "in data/trades.csv); trades without a BIBB figure (e.g. "
        "Pflegefachmann/-frau, counted by Destatis) do not occur."),
    "data.licences_note": (
        "Partnerschaften aus den englischen Wikipedia-Listen stehen unter CC BY-SA 4.0, die "
        "aus Wikidata (2016, unbestätigt) unter CC0; das Gemeindeverzeichnis stammt vom "
        "Statistischen Bundesamt (Destatis), dl-de/by-2-0; Ortsdaten von GeoNames, CC BY 4.0.",
        "Partnerships from the English Wikipedia lists are licensed CC BY-SA 4.0, those from "
        "Wikidata (2016, unconfirmed) CC0; the municipality register is by the Statistisches "
        "Bundesamt (Destatis), dl-de/by-2-0; place data from GeoNames, CC BY 4.0."),
    "apprentice.no_partnership": (
        "Für {home} ist keine Städtepartnerschaft bekannt. Partnerschaften der Nachbargemeinden "
        "im Umkreis von {km} km (nur zur Information, ohne Bonus):",
        "No town twinning is known for {home}. Partnerships of the neighbouring municipalities "
        "within {km} km (for information only, no bonus):"),
    "apprentice.no_partnership_none_near": (
        "Für {home} ist keine Städtepartnerschaft bekannt, auch nicht für die "
        "Nachbargemeinden im Umkreis von {km} km.",
        "No town twinning is known for {home}, nor for the neighbouring municipalities "
        "within {km} km."),
    "apprentice.home_ambiguous": (
        "„{home}“ passt zu mehreren Gemeinden ({candidates}); bitte den vollen Namen, die "
        "Postleitzahl oder den Gemeindeschlüssel angeben.",
        "\u201c{home}\u201d fits several municipalities ({candidates}); please give the full "
        "name, the postcode or the municipality code."),
    "apprentice.neighbour_partner": ("{partner} ({country}), Partnerstadt von {home}, {km} km",
                                     "{partner} ({country}), twin town of {home}, {km} km"),
    "reference.added": ("hinzugefügt", "added"),
    "reference.changed": ("geändert", "changed"),
    "reference.removed": ("entfernt", "removed"),
    "reference.summary": ("{file}: {added} hinzugefügt, {changed} geändert, {removed} entfernt",
                          "{file}: {added} added, {changed} changed, {removed} removed"),
    "reference.confirm": ("Übernehmen? Nur mit --yes wird geschrieben; nichts geschrieben.",
                          "Apply? Only --yes writes; nothing written."),
    "reference.written": ("{path} geschrieben ({rows} Zeilen).", "wrote {path} ({rows} rows)."),
    "reference.unchanged": ("Keine Änderungen; nichts geschrieben.",
                            "No changes; nothing written."),
    # --- keeping partnerships (mobility.ui.partnership_editor) --------------------------
    "status.ended": ("beendet", "ended"),
    "confidence.confirmed": ("bestätigt", "confirmed"),
    "confidence.unconfirmed": ("unbestätigt", "unconfirmed"),
    "field.contact_office": ("Ansprechstelle", "Contact office"),
    "field.confidence": ("Verlässlichkeit", "Confidence"),
    "field.home_ags": ("Gemeindeschlüssel (AGS)", "Municipality code (AGS)"),
    "field.licence": ("Lizenz", "Licence"),
    "keep.title": ("Partnerschaften pflegen", "Keep partnerships"),
    "keep.intro": (
        "Hier pflegt {city} die eigenen Städtepartnerschaften: neue eintragen, Status und "
        "Jahr ändern, Ansprechstelle und Quelle nennen. Jede Änderung wird mit Benutzername "
        "und Zeitpunkt festgehalten.",
        "Here {city} keeps its own town twinnings: add new ones, change status and year, "
        "name the contact office and the source. Every change is recorded with the username "
        "and the time.",
    ),
    "keep.pick": ("Kommune wählen oder eingeben", "Pick or type a municipality"),
    "keep.none": ("Für {city} ist noch keine Partnerschaft eingetragen.",
                  "No partnership of {city} is recorded yet."),
    "keep.add": ("Partnerschaft hinzufügen", "Add a partnership"),
    "keep.add_submit": ("Hinzufügen", "Add"),
    "keep.added": ("Die Partnerschaft mit {partner} ist eingetragen.",
                   "The partnership with {partner} is recorded."),
    "keep.edit": ("Partnerschaft ändern", "Change a partnership"),
    "keep.choose": ("Partnerschaft", "Partnership"),
    "keep.saved": ("Die Änderung ist gespeichert.", "The change is saved."),
    "keep.unchanged": ("Nichts geändert.", "Nothing changed."),
    "keep.last_change": ("Zuletzt geändert von {who} am {date}.",
                         "Last changed by {who} on {date}."),
    "keep.never_changed": ("Seit dem Import nicht geändert.", "Not changed since the import."),
    "keep.country_placeholder": ("Land wählen", "Choose a country"),
    "keep.coordinates_help": (
        "Nur nötig, wenn die Stadt nicht im Ortsverzeichnis steht.",
        "Only needed when the city is not in the gazetteer.",
    ),
    "keep.history": ("Verlauf der Änderungen", "History of changes"),
    "keep.no_history": ("Noch keine Änderungen.", "No changes yet."),
    "keep.when": ("Datum", "Date"),
    "keep.time": ("Uhrzeit (UTC)", "Time (UTC)"),
    "keep.who": ("Benutzer", "User"),
    "keep.what": ("Angabe", "Field"),
    "keep.before": ("vorher", "before"),
    "keep.after": ("nachher", "after"),
    "keep.action": ("Vorgang", "Action"),
    "keep.action.add": ("eingetragen", "added"),
    "keep.action.change": ("geändert", "changed"),
    "keep.export_csv": ("Partnerschaften als CSV", "Partnerships as CSV"),
    "keep.export_xlsx": ("Partnerschaften als Excel (XLSX)", "Partnerships as Excel (XLSX)"),
    "keep.conflict": (
        "Die Partnerschaft mit {partner} wurde inzwischen von {who} geändert ({date}, "
        "{time} UTC). Ihre Änderung ist nicht gespeichert: Bitte die neuen Angaben prüfen "
        "und erneut speichern.",
        "The partnership with {partner} was changed meanwhile by {who} ({date}, {time} UTC). "
        "Your change is not saved: check the new values and save again.",
    ),
    "keep.an_import": ("einem Import", "an import"),
    "keep.not_saved": ("Nicht gespeichert. Bitte korrigieren:",
                       "Not saved. Please correct:"),
    "keep.problem": ("Problem", "Problem"),
    # --- ui helper (issue 11): cards, estimate parts, maps, sources, accounts -----------
    "card.places": ("{n} Plätze", "{n} places"),
    "card.one_place": ("1 Platz", "1 place"),
    "card.same_offer": ("{n} gleiche Angebote dieses Betriebs zusammengefasst",
                        "{n} identical offers of this host combined"),
    "card.window": ("Zeitraum: {start} – {end}", "Window: {start} – {end}"),
    "card.duration": ("Dauer: {min}–{max} Wochen", "Duration: {min}–{max} weeks"),
    "card.stay": ("Vorgeschlagener Aufenthalt: {start} – {end} ({days} Tage)",
                  "Suggested stay: {start} – {end} ({days} days)"),
    "card.task": ("Aufgabe: Ausbildung im Beruf {trade}", "Task: training as {trade}"),
    "card.languages": ("Arbeitssprache: {languages}", "Working language: {languages}"),
    "card.no_language": ("Arbeitssprache: keine Angabe", "Working language: not stated"),
    "card.or": ("oder", "or"),
    "card.accommodation_yes": ("Unterkunft: wird gestellt oder vermittelt",
                               "Accommodation: offered or arranged"),
    "card.accommodation_no": ("Unterkunft: selbst suchen", "Accommodation: find your own"),
    "card.accommodation_unknown": ("Unterkunft: keine Angabe", "Accommodation: not stated"),
    "card.contact": ("Kontakt", "Contact"),
    "card.no_contact": ("Kontakt: über Ihre Beratungsstelle",
                        "Contact: through your adviser"),
    "card.profile": ("Betrieb: {name}, {city} ({country}) · Branche: {sector}",
                     "Host: {name}, {city} ({country}) · sector: {sector}"),
    "map.in_twin_town": ("Platz in einer Partnerstadt", "Placement in a twin town"),
    "map.elsewhere": ("Platz anderswo", "Placement elsewhere"),
    "map.legend_help": (
        "Blau: Ihr Wohnort. Grüne Linien führen zu den Partnerstädten Ihres Wohnorts; "
        "grüne Punkte sind Plätze in einer Partnerstadt, graue Punkte Plätze anderswo. "
        "Je größer der Punkt, desto mehr freie Plätze.",
        "Blue: your home town. Green lines lead to your home town's twin towns; green "
        "dots are placements in a twin town, grey dots placements elsewhere. The bigger "
        "the dot, the more places are free.",
    ),
    "map.reach_help": (
        "Linienfarbe: Stand der Partnerschaft (grün aktiv, orange ruhend, rot ausgesetzt). "
        "Je größer der Punkt, desto mehr offene Plätze gibt es dort.",
        "Line colour: the partnership's status (green active, orange dormant, red "
        "suspended). The bigger the dot, the more open places there are.",
    ),
    "budget.move": (
        "Wenn {name} ({place}) über {programme} gefördert wird, spart das {eur}.",
        "Moving {name} ({place}) to {programme} saves {eur}.",
    ),
    "budget.drop_score": (
        "Wenn die Zuordnung von {name} ({place}) entfällt (die am wenigsten passende der "
        "übrigen), spart das {eur}.",
        "Dropping {name} ({place}), the weakest match of those left, saves {eur}.",
    ),
    "budget.drop_cost": (
        "Wenn die Zuordnung von {name} ({place}) entfällt (die teuerste der übrigen), "
        "spart das {eur}.",
        "Dropping {name} ({place}), the most expensive match of those left, saves {eur}.",
    ),
    "budget.plan": ("So passt es ins Budget:", "How it fits the budget:"),
    "municipality.chart_trades": (
        "Im Diagramm: die {n} Berufe mit den meisten offenen Plätzen, die übrigen als "
        "„andere Berufe“ zusammengefasst.",
        "In the chart: the {n} trades with most open places, the rest summed as "
        "\"other trades\".",
    ),
    "municipality.other_trades": ("andere Berufe", "other trades"),
    "municipality.chart_top": (
        "Im Diagramm: die {n} Kommunen mit den meisten Partnerschaften und Ihre; die "
        "Tabelle zeigt alle.",
        "In the chart: the {n} municipalities with most partnerships and yours; the table "
        "lists all."),
    "groups.table": ("Ländergruppen {year}", "Country groups {year}"),
    "data.accounts": ("Konten", "Accounts"),
    "accounts.role": ("Rolle", "Role"),
    "accounts.demo": ("Demo", "Demo"),
    "accounts.disabled": ("gesperrt", "disabled"),
    "accounts.created": ("Angelegt am", "Created on"),
    "accounts.add": ("Konto anlegen", "Add an account"),
    "accounts.add_button": ("Anlegen", "Add"),
    "accounts.added": ("Konto {user} angelegt.", "Account {user} added."),
    "accounts.repeat": ("Passwort wiederholen", "Repeat password"),
    "accounts.new_password": ("Neues Passwort", "New password"),
    "accounts.rules": (
        "Mindestens {n} Zeichen, ohne Leerzeichen am Anfang oder Ende, ohne Zeilenumbruch.",
        "At least {n} characters, no spaces at the start or end, no line breaks.",
    ),
    "accounts.differ": ("Die beiden Passwörter sind verschieden.", "The two passwords differ."),
    "accounts.weak": (
        "Das Passwort erfüllt die Regeln nicht: mindestens {n} Zeichen, ohne Leerzeichen am "
        "Anfang oder Ende, ohne Zeilenumbruch.",
        "The password breaks the rules: at least {n} characters, no spaces at the start or "
        "end, no line breaks.",
    ),
    "accounts.taken": ("Diesen Benutzernamen gibt es schon.", "That username is taken."),
    "accounts.own": (
        "Das eigene Konto kann man nicht sperren und sich nicht selbst die "
        "Administrationsrolle nehmen.",
        "You cannot disable your own account or take the administrator role from yourself.",
    ),
    "accounts.scope": (
        "Diese Rolle braucht ihren Bereich: Beratung eine Einrichtung, Kommune eine Stadt, "
        "Azubi eine Azubi-Nr.; ein Benutzername hat 2–64 Zeichen aus a–z, 0–9, Punkt, "
        "Binde- oder Unterstrich.",
        "This role needs its scope: an adviser an organisation, a municipality a city, an "
        "apprentice an apprentice id; a username has 2–64 characters of a–z, 0–9, dot, "
        "hyphen or underscore.",
    ),
    "accounts.not_found": ("Dieses Konto gibt es nicht mehr.", "That account no longer exists."),
    "accounts.change": ("Konto ändern", "Change an account"),
    "accounts.set_role": ("Rolle speichern", "Save role"),
    "accounts.role_set": ("Rolle von {user} gespeichert.", "Role of {user} saved."),
    "accounts.disable": ("Konto sperren", "Disable account"),
    "accounts.enable": ("Konto entsperren", "Enable account"),
    "accounts.disabled_now": ("{user} ist gesperrt.", "{user} is disabled."),
    "accounts.enabled": ("{user} ist entsperrt.", "{user} is enabled."),
    "accounts.reset": ("Passwort zurücksetzen", "Reset password"),
    "accounts.reset_done": ("Passwort von {user} geändert.", "Password of {user} changed."),
    "accounts.trail": ("Änderungen an Konten", "Changes to accounts"),
    "accounts.when": ("Wann", "When"),
    "accounts.who": ("Wer", "Who"),
    "accounts.what": ("Was", "What"),
    "accounts.action.add": ("angelegt", "added"),
    "accounts.action.disable": ("gesperrt", "disabled"),
    "accounts.action.enable": ("entsperrt", "enabled"),
    "accounts.action.change_role": ("Rolle geändert", "role changed"),
    "accounts.action.reset_password": ("Passwort zurückgesetzt", "password reset"),
    "adviser.export_excel_de": ("Zuordnungen für Excel (deutsch)", "Matches for Excel (German)"),
    # reference tables on the data page
    "field.programme": ("Programm", "Programme"),
    "field.funder": ("Geldgeber", "Funder"),
    "field.min_days": ("Mindestens (Tage)", "Minimum days"),
    "field.max_days": ("Höchstens (Tage)", "Maximum days"),
    "field.min_age": ("Mindestalter", "Minimum age"),
    "field.max_age": ("Höchstalter", "Maximum age"),
    "field.twin_town_only": ("Nur Partnerstädte", "Twin towns only"),
    "field.min_group_size": ("Mindestgruppe", "Minimum group"),
    "field.current": ("aktuell", "current"),
    "field.table": ("Tabelle", "Table"),
    "field.band_or_group": ("Band oder Gruppe", "Band or group"),
    "field.km_min": ("ab km", "from km"),
    "field.km_max": ("bis km", "to km"),
    "field.standard_eur": ("Standard (EUR)", "Standard (EUR)"),
    "field.green_eur": ("Grünes Reisen (EUR)", "Green travel (EUR)"),
    "field.eur_per_day_min": ("EUR/Tag ab", "EUR/day from"),
    "field.eur_per_day_max": ("EUR/Tag bis", "EUR/day to"),
    "field.days_min": ("ab Tag", "from day"),
    "field.days_max": ("bis Tag", "to day"),
    "field.call_year": ("Aufruf", "Call year"),
    "field.alt_names": ("Andere Namen", "Other names"),
    "field.located_as": ("Verortet als", "Located as"),
    "field.status_detail": ("Stand im Einzelnen", "Status detail"),
    # the ``table`` column of data/erasmus_rates.csv on the data page; the tables an
    # estimate used are named with their call year by funding.used.* (match_texts)
    "funding.table.travel_support": ("Reisekostensätze (Entfernungsbänder)",
                                     "travel support (distance bands)"),
    "funding.table.travel_support_alt": ("Reisekostensätze (andere Fassung)",
                                         "travel support (other version)"),
    "funding.table.distance_rule": ("Entfernungsregel", "distance rule"),
    "funding.table.individual_support_learners": (
        "Individuelle Unterstützung Lernende", "individual support, learners"),
    "funding.table.individual_support_staff": (
        "Individuelle Unterstützung Personal", "individual support, staff"),
    "funding.table.day_rule": ("Tagesregel", "day rule"),
    "funding.table.duration": ("Dauer", "duration"),
    "funding.table.other_unit_costs": ("Weitere Stückkosten", "other unit costs"),
    # sources page (data/SOURCES.md, for readers: what, from where, under which licence)
    "sources.intro": (
        "Alle mitgelieferten Daten haben eine Quelle; nichts ist erfunden. Ein leeres Feld "
        "heißt: Die Zahl wurde in keiner Quelle gefunden, die Anwendung zeigt sie als "
        "unbekannt.",
        "All shipped data has a source; nothing is invented. An empty field means the "
        "figure was not found in any source: the app shows it as unknown.",
    ),
    "sources.what": ("Was", "What"),
    "sources.where": ("Woher", "Where from"),
    "sources.licence": ("Lizenz", "Licence"),
    "sources.trades": ("{n} Ausbildungsberufe mit ISCO-08-Gruppe und englischer ESCO-"
                       "Bezeichnung", "{n} German apprenticeship trades with ISCO-08 group "
                       "and English ESCO name"),
    "sources.trades_from": (
        "Bundesagentur für Arbeit (KldB 2010 → ISCO-08), ESCO der Europäischen Kommission; "
        "Alltagsnamen ergänzt vom Team", "Federal Employment Agency (KldB 2010 → ISCO-08), "
        "the European Commission's ESCO; everyday names added by the team"),
    "sources.twinnings": ("{n} Städtepartnerschaften", "{n} town twinnings"),
    "sources.twinnings_from": ("Die Internetseiten der Städte (Quelle je Zeile)",
                               "The cities' own web pages (source per row)"),
    "sources.erasmus": ("Erasmus+-Stückkosten und Regeln für die Berufsbildung, Ländergruppen",
                        "Erasmus+ unit costs and rules for vocational training, country "
                        "groups"),
    "sources.erasmus_from": (
        "Erasmus+-Programmleitfaden und Nationale Agenturen (Quelle je Zeile, mit "
        "Verlässlichkeit); die Tagessätze für Lernende fehlen: Keine Quelle wurde gefunden",
        "Erasmus+ Programme Guide and national agencies (source per row, with confidence); "
        "daily rates for learners are missing: no source was found"),
    "sources.programmes": ("{n} Förderprogramme für Auszubildende und ihre Regeln",
                           "{n} funding programmes for apprentices and their rules"),
    "sources.programmes_from": ("Die Seiten der Programme (Quelle je Zeile)",
                                "The programmes' own pages (source per row)"),
    "sources.places": ("Orte und Koordinaten", "Places and coordinates"),
    "sources.borders": ("Ländergrenzen der Karten", "Country borders on the maps"),
    "sources.demo": ("Demodaten", "Demo data"),
    "sources.demo_from": ("Erzeugt von `mobility demo`: echte Städte und Berufe, erfundene "
                          "Personen und Firmen", "Made by `mobility demo`: real cities and "
                          "trades, invented people and companies"),
    "sources.own_data": ("Eigene Daten", "Own data"),
    "sources.public_domain": ("gemeinfrei", "public domain"),
    "sources.per_row": ("je Zeile angegeben", "stated per row"),
    "sources.synthetic": ("synthetisch, frei verwendbar", "synthetic, free to use"),
}


# --- Documents and the Beneficiary Module file (issue 13; owner: paper) ---------------
_TEXTS.update({
    "doc.la.title": ("Lernvereinbarung (Learning Agreement) – Entwurf",
                     "Learning Agreement – draft"),
    "doc.la.subtitle": (
        "Erasmus+ Lernaufenthalt in der beruflichen Bildung (Auszubildende)",
        "Erasmus+ learning mobility in vocational education and training (VET learners)"),
    "doc.ep.title": ("Europass Mobilitätsnachweis – Entwurf", "Europass Mobility – draft"),
    "doc.ep.subtitle": ("Angaben für den Europass Mobilitätsnachweis",
                        "Data for the Europass Mobility document"),
    "doc.draft_note": (
        "Entwurf vom {date}, erstellt von {user}. Vor dem Unterschreiben prüfen und "
        "ergänzen.",
        "Draft of {date}, prepared by {user}. Check and complete before signing."),
    "doc.section.participant": ("Teilnehmende Person", "Participant"),
    "doc.section.sending": ("Entsendende Einrichtung", "Sending organisation"),
    "doc.section.receiving": ("Aufnehmende Einrichtung", "Receiving organisation"),
    "doc.section.host": ("Aufnehmende Einrichtung", "Host organisation"),
    "doc.section.holder": ("Inhaberin / Inhaber", "Holder"),
    "doc.section.mobility": ("Aufenthalt", "Mobility period"),
    "doc.section.outcomes": ("Zu vereinbarende Lernergebnisse", "Learning outcomes to be agreed"),
    "doc.section.mentoring": ("Begleitung und Betreuung", "Monitoring and mentoring"),
    "doc.section.skills": (
        "Erworbene Kompetenzen (von der aufnehmenden Einrichtung auszufüllen)",
        "Skills acquired (to be filled in by the host organisation)"),
    "doc.section.signatures": ("Unterschriften", "Signatures"),
    "doc.outcomes_prefilled": (
        "Vorschlag aus dem Ausbildungsberuf; bitte gemeinsam prüfen und anpassen.",
        "Suggested from the trade; review and adapt together."),
    "doc.outcomes_empty": (
        "Für diesen Ausbildungsberuf sind keine Lernergebnisse hinterlegt: bitte gemeinsam "
        "vereinbaren und eintragen.",
        "No learning outcomes are on record for this trade: agree on them together and "
        "fill them in."),
    "doc.skills_note": (
        "Die aufnehmende Einrichtung beschreibt, was die Person während des Aufenthalts "
        "gelernt hat.",
        "The host organisation describes what the person learned during the stay."),
    "doc.skills.job": ("Berufsbezogene Fähigkeiten und Kompetenzen", "Job-related skills"),
    "doc.skills.language": ("Sprachkompetenzen", "Language skills"),
    "doc.skills.digital": ("Digitale Kompetenzen", "Digital skills"),
    "doc.skills.social": ("Organisatorische und soziale Kompetenzen",
                          "Organisational and social skills"),
    "doc.objective": (
        "Lernaufenthalt im Ausbildungsberuf {trade} bei {host} in {city} im Rahmen von "
        "Erasmus+.",
        "Learning stay in the trade {trade} at {host} in {city} under Erasmus+."),
    "doc.duration": ("{days} Tage ({weeks} Wochen)", "{days} days ({weeks} weeks)"),
    "doc.level.native": ("Muttersprache", "native"),
    "doc.label.name": ("Name", "Name"),
    "doc.label.oid": ("OID (Erasmus+-Organisationsnummer)", "OID (Erasmus+ organisation ID)"),
    "doc.label.contact_person": ("Ansprechperson", "Contact person"),
    "doc.label.email": ("E-Mail", "E-mail"),
    "doc.label.phone": ("Telefon", "Phone"),
    "doc.label.address": ("Ort, Land", "City, country"),
    "doc.label.objective": ("Ziel des Aufenthalts", "Objective"),
    "doc.label.monitoring": ("Begleitperson der entsendenden Einrichtung",
                             "Monitoring person (sending organisation)"),
    "doc.label.mentor": ("Mentorin / Mentor im aufnehmenden Betrieb",
                         "Mentor at the receiving organisation"),
    "doc.label.outcome_n": ("Lernergebnis {n}", "Learning outcome {n}"),
    "doc.label.sign_line": ("Jeweils Name, Datum und Unterschrift.",
                            "Each with name, date and signature."),
    "doc.label.signature_participant": ("Teilnehmende Person", "Participant"),
    "doc.label.signature_sending": ("Entsendende Einrichtung", "Sending organisation"),
    "doc.label.signature_receiving": ("Aufnehmende Einrichtung", "Receiving organisation"),
    "doc.field.participant_name": ("Name", "Name"),
    "doc.field.participant_date_of_birth": ("Geburtsdatum", "Date of birth"),
    "doc.field.participant_email": ("E-Mail", "E-mail"),
    "doc.field.participant_home": ("Wohnort", "Place of residence"),
    "doc.field.trade_de": ("Ausbildungsberuf", "Trade (occupation)"),
    "doc.field.trade_en": ("Ausbildungsberuf (englisch)", "Trade (English)"),
    "doc.field.training_year": ("Ausbildungsjahr", "Year of training"),
    "doc.field.languages": ("Sprachkenntnisse", "Language skills"),
    "doc.field.stay_languages": ("Arbeitssprache und Sprachniveau",
                                 "Working language and level"),
    "doc.field.sending_name": ("Entsendende Einrichtung", "Sending organisation"),
    "doc.field.sending_oid": ("OID der entsendenden Einrichtung", "Sending organisation OID"),
    "doc.field.host_name": ("Aufnehmende Einrichtung", "Receiving organisation"),
    "doc.field.host_oid": ("OID der aufnehmenden Einrichtung", "Receiving organisation OID"),
    "doc.field.host_city": ("Ort", "City"),
    "doc.field.host_country": ("Land", "Country"),
    "doc.field.host_email": ("Kontakt-E-Mail", "Contact e-mail"),
    "doc.field.host_website": ("Website", "Website"),
    "doc.field.start": ("Beginn", "Start date"),
    "doc.field.end": ("Ende", "End date"),
    "doc.field.days": ("Dauer", "Duration"),
    "doc.field.learning_outcomes": ("Lernergebnisse", "Learning outcomes"),
    "doc.field.lang": ("Sprache des Dokuments", "Document language"),
    "doc.changes.first": ("Version {version}: erste Fassung.", "Version {version}: first version."),
    "doc.changes.none": ("Version {version}: unverändert gegenüber Version {previous}.",
                         "Version {version}: unchanged since version {previous}."),
    "doc.changes.header": ("Version {version}: geändert gegenüber Version {previous}:",
                           "Version {version}: changed since version {previous}:"),
    "doc.changes.item": ("{field}: „{old}“ → „{new}“", "{field}: “{old}” → “{new}”"),
    "doc.changes.empty": ("(leer)", "(empty)"),
    "doc.kind.learning-agreement": ("Lernvereinbarung", "Learning Agreement"),
    "doc.kind.europass": ("Europass Mobilität", "Europass Mobility"),
    "doc.documents": ("Dokumente", "Documents"),
    "doc.format": ("Dateiformat", "File format"),
    "doc.language": ("Sprache des Dokuments", "Document language"),
    "doc.make": ("{kind} erstellen", "Create {kind}"),
    "doc.download": ("{kind} herunterladen", "Download {kind}"),
    "doc.confirmed_only": ("Dokumente gibt es für bestätigte Vermittlungen.",
                           "Documents are available for confirmed matches."),
    "doc.history_row": ("{kind} · Version {version} · {who} · {when} · Prüfsumme {hash}",
                        "{kind} · version {version} · {who} · {when} · hash {hash}"),
    "bm.grant_agreement": ("Förderkennzeichen (Grant Agreement No.)", "Grant Agreement No."),
    "bm.grant_help": ("Wie im Finanzhilfevertrag, z. B. 2024-1-DE02-KA121-VET-000123456.",
                      "As on the grant agreement, e.g. 2024-1-DE02-KA121-VET-000123456."),
    "bm.data_type": ("Data type (aus Ihrer Vorlage)", "Data type (from your template)"),
    "bm.data_type_help": (
        "Der Wert der Spalte „Data type“ einer Mobilitätszeile, wie ihn die aus Ihrem "
        "Projekt exportierte Vorlage zeigt; keine öffentliche Quelle nennt ihn.",
        "The value of the “Data type” column of a mobility row as the template exported "
        "from your project shows it; no public source gives it."),
    "bm.needs_grant": (
        "Für die Datei des Beneficiary Module bitte das Förderkennzeichen eingeben.",
        "Enter the Grant Agreement No. to get the Beneficiary Module file."),
    "bm.unverified": (
        "Nicht an einer Vorlage bestätigt: {columns}. Vor dem Hochladen mit der Vorlage "
        "Ihres Projekts vergleichen.",
        "Not confirmed against a template: {columns}. Compare with your project's template "
        "before uploading."),
    "bm.problem.grant": (
        "{number} ist kein Förderkennzeichen: bitte wie im Finanzhilfevertrag schreiben, "
        "z. B. 2024-1-DE02-KA121-VET-000123456.",
        "{number} is not a grant agreement number: write it as on the grant agreement, "
        "e.g. 2024-1-DE02-KA121-VET-000123456."),
    "bm.problem.no_layout": (
        "Kein Beneficiary-Module-Layout für den Aufruf {year} und {action} in {file} "
        "(vorhanden: {known}).",
        "No Beneficiary Module layout for call year {year} and {action} in {file} "
        "(known: {known})."),
    "bm.problem.not_written": ("{file} wurde nicht geschrieben: zuerst {n} Problem(e) beheben.",
                               "{file} was not written: {n} problem(s) to fix first."),
    "bm.problem.sending_oid": (
        "Die entsendende Einrichtung „{org}“ hat keine gültige OID (E + 8 Ziffern): bitte "
        "bei den entsendenden Einrichtungen eintragen.",
        "Sending organisation “{org}” has no valid OID (E + 8 digits): record it under "
        "sending organisations."),
    "bm.problem.no_sending_org": (
        "Für Azubi {id} ist keine entsendende Einrichtung eingetragen, also keine OID.",
        "Apprentice {id} has no sending organisation, so no OID."),
    "bm.problem.host_oid": (
        "Der Gastbetrieb „{name}“ ({id}) hat keine gültige OID (E + 8 Ziffern): bitte in "
        "der Spalte oid der Betriebe ergänzen.",
        "Host company “{name}” ({id}) has no valid OID (E + 8 digits): add it in the "
        "companies table's oid column."),
    "bm.problem.oid_invalid": ("Eingetragen ist „{oid}“.", "The value on record is “{oid}”."),
    "bm.problem.no_value": (
        "Für die Spalte „{column}“ hat das Layout {year} {action} keinen Wert für den "
        "Eintrag in „value“: in data/beneficiary_module_dictionaries.csv ergänzen, eine "
        "Wörterbuchdatei angeben oder den Wert aus Ihrer Vorlage eintragen.",
        "The {year} {action} layout has no value for column “{column}” and the entry in "
        "“value”: add it to data/beneficiary_module_dictionaries.csv, pass a dictionary "
        "file or enter the value from your template."),
    "bm.skipped": ("{n} Paare sind nicht Erasmus+-förderfähig und fehlen in der Datei.",
                   "{n} pairs are not eligible for Erasmus+ and are not in the file."),
})


def t(key: str, lang: str = "de", **values: object) -> str:
    """The text for ``key`` in ``lang`` (German when ``lang`` is unknown), with
    ``values`` filled into its placeholders.

    Raises
    ------
    KeyError
        When no text exists for ``key``: a typo must fail in tests, not show a key.
    """
    try:
        german, english = _TEXTS[key]
    except KeyError:
        raise KeyError(f"no text for {key!r}") from None
    text = english if lang == "en" else german
    if not values:
        return text
    if lang != "en":  # German digit grouping: 1.234,5 (numbers only, never other values)
        values = {k: _GermanNumber(v) if isinstance(v, int | float) and not isinstance(v, bool)
                  else v for k, v in values.items()}
    return text.format(**values)


class _GermanNumber:
    """A number that formats with German separators (``{eur:,.0f}`` -> ``1.234``).

    >>> t("common.eur", "de", eur=1234.5), t("common.eur", "en", eur=1234.5)
    ('1.234 €', '€1,234')
    """

    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec).translate(_SWAP_SEPARATORS)

    def __str__(self) -> str:
        return str(self.value)


_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})


def all_keys() -> list[str]:
    """Every key with a text (for tests that check pages use only known keys)."""
    return list(_TEXTS)


# --- names, dates and numbers from CLDR (Babel) ----------------------------------------
# Country and language names come from a maintained library, never from our own tables.


def country_name(code: str | None, lang: str = "de") -> str:
    """The country's name in ``lang`` from CLDR (ISO 3166 alpha-2 in, name out).

    An unknown or empty code comes back as given (or ``""``), never as ``"None"``.

    >>> country_name("FR", "de"), country_name("fr", "en"), country_name("GB", "de")
    ('Frankreich', 'France', 'Vereinigtes Königreich')
    >>> country_name(None)
    ''
    """
    if not code or not isinstance(code, str):
        return ""
    return _locale(lang).territories.get(code.strip().upper(), code)


def language_name(code: str | None, lang: str = "de") -> str:
    """The language's name in ``lang`` from CLDR (ISO 639-1 in, name out).

    >>> language_name("fr", "de"), language_name("EN", "en")
    ('Französisch', 'English')
    """
    if not code or not isinstance(code, str):
        return ""
    return _locale(lang).languages.get(code.strip().lower(), code)


def format_date(value: object, lang: str = "de") -> str:
    """A date as the reader writes it: ``05.01.2027`` in German, ``5 Jan 2027`` in English.

    Missing values (``None``, ``NaT``, ``nan``) give ``""``.

    >>> import datetime
    >>> format_date(datetime.date(2027, 1, 5), "de"), format_date("2027-01-05", "en")
    ('05.01.2027', '5 Jan 2027')
    >>> format_date(None)
    ''
    """
    import pandas as pd
    from babel.dates import format_date as _babel_date

    if value is None:
        return ""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if pd.isna(stamp):
        return ""
    return _babel_date(stamp.date(), format="medium", locale=_babel_locale(lang))


def format_number(value: object, lang: str = "de", digits: int = 0) -> str:
    """A number with the reader's separators: ``1.234,5`` in German, ``1,234.5`` in English.

    >>> format_number(1234.5, "de", 1), format_number(1234.5, "en", 1), format_number(None)
    ('1.234,5', '1,234.5', '')
    """
    import math

    from babel.numbers import format_decimal

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_babel_locale(lang))


def _babel_locale(lang: str) -> str:
    return "en_GB" if lang == "en" else "de_DE"


def _locale(lang: str):
    from babel import Locale

    return Locale.parse(_babel_locale(lang))
