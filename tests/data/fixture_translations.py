"""Translations of the fixture project (tests/data/project); run to (re)fill its catalogs.

    python tests/data/fixture_translations.py tests/data/project

Keeps the data in one reviewable place; the catalogs in the fixture are the
result of ``locum extract && locum update`` followed by this script.
"""

import sys
from pathlib import Path

import polib

from workflow.catalogs import plural_count

T = {
    "Pain relief basics": {"es": "Lo básico sobre los analgésicos", "pl": "Podstawy leczenia bólu",
                           "ar": "أساسيات تسكين الألم"},
    "A short guide to common pain relief.": {
        "es": "Una guía breve sobre los analgésicos más comunes.",
        "pl": "Krótki przewodnik po popularnych lekach przeciwbólowych.",
        "ar": "دليل قصير عن مسكنات الألم الشائعة."},
    "Paracetamol is often the first medicine to try for mild pain. Read the leaflet before you take it.": {
        "es": "El paracetamol suele ser el primer medicamento que se prueba para el dolor leve. "
              "Lea el prospecto antes de tomarlo.",
        "pl": "Paracetamol jest często pierwszym lekiem stosowanym przy łagodnym bólu. "
              "Przed zażyciem należy przeczytać ulotkę.",
        "ar": "غالبًا ما يكون الباراسيتامول أول دواء يُجرَّب للألم الخفيف. اقرأ النشرة قبل تناوله."},
    "Do not take more than the leaflet says.": {
        "es": "No tome más de lo que indica el prospecto.",
        "pl": "Nie należy przyjmować więcej, niż podaje ulotka.",
        "ar": "لا تتناول أكثر مما تذكره النشرة."},
    "Help in the UK": {"pl": "Pomoc w Wielkiej Brytanii", "ar": "المساعدة في المملكة المتحدة"},
    "Call [NHS 111](https://111.nhs.uk/) if you need advice. In an emergency, call 999.": {
        "pl": "Jeśli potrzebujesz porady, zadzwoń pod [NHS 111](https://111.nhs.uk/). "
              "W nagłym wypadku dzwoń pod 999.",
        "ar": "اتصل بـ [NHS 111](https://111.nhs.uk/) إذا احتجت إلى نصيحة. في حالات الطوارئ، اتصل بـ 999."},
    "Help in the US": {"es": "Ayuda en los Estados Unidos"},
    "Call 911 in an emergency.": {"es": "En una emergencia, llame al 911."},
    "Sleep and pain": {"es": "El sueño y el dolor", "pl": "Sen i ból", "ar": "النوم والألم"},
    "How poor sleep and long-term pain affect each other.": {
        "es": "Cómo se afectan entre sí el mal dormir y el dolor prolongado.",
        "pl": "Jak zły sen i długotrwały ból wpływają na siebie nawzajem.",
        "ar": "كيف يؤثر سوء النوم والألم طويل الأمد أحدهما في الآخر."},
    "Pain can make it hard to sleep, and poor sleep can make pain feel worse.": {
        "es": "El dolor puede dificultar el sueño, y dormir mal puede hacer que el dolor se sienta peor.",
        "pl": "Ból może utrudniać sen, a zły sen może nasilać odczuwanie bólu.",
        "ar": "قد يجعل الألم النوم صعبًا، وقد يجعل سوء النوم الألم أسوأ."},
    "Keep regular hours.": {"es": "Mantenga un horario regular.", "pl": "Należy zachować stałe godziny snu.",
                            "ar": "حافظ على مواعيد نوم منتظمة."},
    "Avoid screens late at night.": {"es": "Evite las pantallas a altas horas de la noche.",
                                     "pl": "Należy unikać ekranów późnym wieczorem.",
                                     "ar": "تجنب الشاشات في وقت متأخر من الليل."},
    # site chrome
    "Published %(date)s": {"es": "Publicado el %(date)s", "pl": "Opublikowano %(date)s",
                           "ar": "نُشر في %(date)s"},
    "Last reviewed %(date)s": {"es": "Última revisión: %(date)s", "pl": "Ostatnia weryfikacja: %(date)s",
                               "ar": "آخر مراجعة: %(date)s"},
    "Skip to content": {"es": "Ir al contenido", "pl": "Przejdź do treści", "ar": "انتقل إلى المحتوى"},
    "Reviewed by %(names)s, %(date)s": {"es": "Revisado por %(names)s, %(date)s",
                                        "pl": "Zweryfikowane przez %(names)s, %(date)s",
                                        "ar": "تمت المراجعة بواسطة %(names)s، %(date)s"},
    "Other languages": {"es": "Otros idiomas", "pl": "Inne języki", "ar": "لغات أخرى"},
    "Medical disclaimer:": {"es": "Aviso médico:", "pl": "Zastrzeżenie medyczne:", "ar": "إخلاء مسؤولية طبية:"},
    "This information is general and does not replace advice from your doctor, nurse or pharmacist about "
    "your own health. In an emergency, call your local emergency number.": {
        "es": "Esta información es general y no sustituye los consejos de su médico, enfermero o farmacéutico "
              "sobre su propia salud. En una emergencia, llame al número de emergencias local.",
        "pl": "Te informacje mają charakter ogólny i nie zastępują porady lekarza, pielęgniarki ani farmaceuty "
              "dotyczącej Twojego zdrowia. W nagłym wypadku zadzwoń pod lokalny numer alarmowy.",
        "ar": "هذه المعلومات عامة ولا تغني عن نصيحة طبيبك أو الممرض أو الصيدلي بشأن صحتك. "
              "في حالات الطوارئ، اتصل برقم الطوارئ المحلي."},
    "Health articles": {"es": "Artículos de salud", "pl": "Artykuły o zdrowiu", "ar": "مقالات صحية"},
    "Choose your language": {"es": "Elija su idioma", "pl": "Wybierz język", "ar": "اختر لغتك"},
    "not yet translated": {"es": "aún sin traducir", "pl": "jeszcze nieprzetłumaczone", "ar": "لم يُترجم بعد"},
    "In the UK": {"es": "En el Reino Unido", "pl": "W Wielkiej Brytanii", "ar": "في المملكة المتحدة"},
    "In the US": {"es": "En los Estados Unidos", "pl": "W Stanach Zjednoczonych", "ar": "في الولايات المتحدة"},
    "Preview: not reviewed. Do not rely on this page for medical decisions.": {
        "es": "Vista previa: sin revisar. No tome decisiones médicas basándose en esta página.",
        "pl": "Podgląd: niesprawdzone. Nie podejmuj decyzji medycznych na podstawie tej strony.",
        "ar": "معاينة: لم تتم مراجعتها. لا تعتمد على هذه الصفحة في اتخاذ قرارات طبية."},
    # the notices of a page served from its last approved version (workflow/templates/notice.html)
    "The English page changed on %(changed)s; this translation was last reviewed on %(reviewed)s.": {
        "es": "La página en inglés cambió el %(changed)s; esta traducción se revisó por última vez el %(reviewed)s.",
        "pl": "Strona w języku angielskim zmieniła się %(changed)s; to tłumaczenie zostało ostatnio "
              "zweryfikowane %(reviewed)s.",
        "ar": "تغيّرت الصفحة الإنجليزية في %(changed)s؛ وآخر مراجعة لهذه الترجمة كانت في %(reviewed)s."},
    "This translation has been withdrawn: the English page changed on %(changed)s in a way that matters for "
    "your safety, and the new text has not been translated and reviewed yet.": {
        "es": "Esta traducción se ha retirado: la página en inglés cambió el %(changed)s de una forma importante "
              "para su seguridad, y el nuevo texto aún no se ha traducido ni revisado.",
        "pl": "To tłumaczenie zostało wycofane: strona w języku angielskim zmieniła się %(changed)s w sposób "
              "ważny dla Twojego bezpieczeństwa, a nowy tekst nie został jeszcze przetłumaczony i zweryfikowany.",
        "ar": "تم سحب هذه الترجمة: تغيّرت الصفحة الإنجليزية في %(changed)s بطريقة تهم سلامتك، "
              "ولم تتم ترجمة النص الجديد ومراجعته بعد."},
    "Read the English page": {"es": "Lea la página en inglés", "pl": "Przeczytaj stronę w języku angielskim",
                              "ar": "اقرأ الصفحة الإنجليزية"},
}
PLURALS = {"es": ["%(num)d min de lectura"] * 2,
           "pl": ["%(num)d minuta czytania", "%(num)d minuty czytania", "%(num)d minut czytania"],
           "ar": ["%(num)d دقيقة قراءة"] * 6}
OVERRIDES = {
    ("en_US", "pain-relief"): {
        "Paracetamol is often the first medicine to try for mild pain. Read the leaflet before you take it.":
            "Acetaminophen is often the first medicine to try for mild pain. Read the label before you take it."},
    ("es_US", "pain-relief"): {     # the glossary's es_US rendering: es-US pages must say acetaminofén
        "Paracetamol is often the first medicine to try for mild pain. Read the leaflet before you take it.":
            "El acetaminofén suele ser el primer medicamento que se prueba para el dolor leve. "
            "Lea el prospecto antes de tomarlo."},
}


def fill(root: Path) -> None:
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
        lang = path.parts[-3]
        po = polib.pofile(str(path))
        for entry in po:
            if entry.msgid_plural:      # as many forms as the catalog's Plural-Forms (Babel's rules change)
                forms = PLURALS[lang]
                count = plural_count(po.metadata.get("Plural-Forms"))
                entry.msgstr_plural = dict(enumerate((forms + forms[-1:] * count)[:count]))
            elif entry.msgid in T and lang in T[entry.msgid]:
                entry.msgstr = T[entry.msgid][lang]
        po.save(str(path))
    for (lang, slug), entries in OVERRIDES.items():
        template = polib.pofile(str(root / "locales" / f"{slug}.pot"))
        po = polib.POFile()
        po.metadata = dict(template.metadata, **{"Language": lang, "Language-Team": f"{lang} <{lang}@localhost>",
                                                 "PO-Revision-Date": "2026-11-20 10:00+0000",
                                                 "Last-Translator": "Sam Carter <sam.carter@example.org>",
                                                 "Plural-Forms": "nplurals=2; plural=(n != 1);"})
        for entry in template:
            if entry.msgid in entries:
                entry.msgstr = entries[entry.msgid]
                po.append(entry)
        path = root / "locales" / lang / "LC_MESSAGES" / f"{slug}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))


if __name__ == "__main__":
    fill(Path(sys.argv[1]))
