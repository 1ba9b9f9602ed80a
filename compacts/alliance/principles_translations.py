"""The founding principles (principles.FOUNDING and FOUNDING_NOTE) in French, Spanish and
Arabic, by piece as compacts/alliance/translatable.py names them. The English version is the
one members endorse and the log's digest covers; these are readers' aids, stored as content
translations by migration 0012 for version 1 while it still reads as founded. Terms follow
locale/glossary.csv."""

FOUNDING_TRANSLATIONS: dict[str, dict[str, str]] = {
    "fr": {
        "principles.1.title": "La capacité partagée plutôt que la domination",
        "principles.1.text": "Le progrès se mesure au degré auquel l’intelligence est partagée "
        "et renforcée à l’échelle mondiale.",
        "principles.2.title": "L’entraide dès la conception",
        "principles.2.text": "La coopération est formalisée par des accords réciproques et "
        "auditables, au lieu d’être laissée à la bonne volonté de circonstance.",
        "principles.3.title": "Une contribution assortie de garanties",
        "principles.3.text": "Les connaissances locales circulent par des fiducies de données "
        "souveraines, des licences réciproques et des registres transparents, afin d’en "
        "prévenir tout usage abusif.",
        "principles.4.title": "Le pluralisme comme gage de sécurité",
        "principles.4.text": "La diversité des cultures, des valeurs, des langues et des "
        "conceptions éthiques rend les modèles et la gouvernance plus robustes et plus "
        "légitimes.",
        "principles.5.title": "Redevabilité et réparation",
        "principles.5.text": "Les acteurs publics et privés partagent la responsabilité des "
        "bienfaits, des risques et des réparations.",
        "note": "Les principes fondateurs.",
    },
    "es": {
        "principles.1.title": "La capacidad compartida por encima del dominio",
        "principles.1.text": "El progreso se mide por cuánta inteligencia se comparte y se "
        "fortalece a escala mundial.",
        "principles.2.title": "La ayuda mutua desde el diseño",
        "principles.2.text": "La cooperación se formaliza mediante acuerdos recíprocos y "
        "auditables, en lugar de dejarse a la buena voluntad ocasional.",
        "principles.3.title": "Una contribución con salvaguardas",
        "principles.3.text": "Los conocimientos locales circulan a través de fideicomisos de "
        "datos soberanos, licencias recíprocas y registros transparentes, para prevenir usos "
        "indebidos.",
        "principles.4.title": "El pluralismo como garantía de seguridad",
        "principles.4.text": "La diversidad de culturas, valores, lenguas y concepciones éticas "
        "hace que los modelos y la gobernanza sean más robustos y legítimos.",
        "principles.5.title": "Rendición de cuentas y reparación",
        "principles.5.text": "Los actores públicos y privados comparten la responsabilidad de "
        "los beneficios, los riesgos y las reparaciones.",
        "note": "Los principios fundacionales.",
    },
    "ar": {
        "principles.1.title": "القدرة المشتركة بدلًا من الهيمنة",
        "principles.1.text": "يُقاس التقدّم بمدى تقاسم الذكاء وتعزيزه على الصعيد العالمي.",
        "principles.2.title": "العون المتبادل في صميم التصميم",
        "principles.2.text": "يُضفى الطابع الرسمي على التعاون من خلال اتفاقات متبادلة قابلة "
        "للتدقيق، بدلًا من تركه لحسن النوايا الظرفية.",
        "principles.3.title": "مساهمة تحميها الضمانات",
        "principles.3.text": "تنتقل المعارف المحلية عبر صناديق استئمانية سيادية للبيانات، "
        "وتراخيص متبادلة، وسجلات شفافة، منعًا لإساءة استخدامها.",
        "principles.4.title": "التعددية ضمانةً للأمان",
        "principles.4.text": "إن تنوّع الثقافات والقيم واللغات والمنظومات الأخلاقية يجعل "
        "النماذج والحوكمة أكثر متانة ومشروعية.",
        "principles.5.title": "المساءلة والانتصاف",
        "principles.5.text": "تتقاسم الجهات الفاعلة العامة والخاصة المسؤولية عن المنافع "
        "والمخاطر وسبل الانتصاف.",
        "note": "المبادئ التأسيسية.",
    },
}
