"""Opening, consent, identification of the household (group ``ident``)."""

from form_kit import Tr, calc, group, meta, note, q

CONSENTED = "${consent} = 'yes'"

OPENING = [
    meta("start"), meta("end"), meta("today"), meta("deviceid"),
    note("consent_note", Tr(
        "(Présentez-vous : votre nom et votre organisation.) Nous rencontrons les ménages de la zone pour "
        "mieux connaître leurs conditions de vie et les orienter vers les aides et services qui leur "
        "conviennent. Les questions portent sur les membres du ménage, le logement, les ressources, "
        "l'alimentation, la santé et vos besoins ; l'entretien dure environ 30 minutes. Vos réponses sont "
        "confidentielles : elles sont enregistrées dans le registre du programme, seul le personnel "
        "autorisé les consulte, et elles ne sont transmises à une organisation partenaire que si vous "
        "l'acceptez, pour vous orienter vers un service. Participer est volontaire : vous pouvez refuser "
        "une question ou arrêter à tout moment, sans conséquence sur l'aide que vous recevez déjà. Vous "
        "pouvez demander à voir, corriger ou retirer vos données.",
        "(قدّم نفسك: اسمك والمنظمة التي تعمل فيها.) نلتقي بالأسر في هذه المنطقة لنتعرّف على ظروف عيشها "
        "ونوجّهها نحو المساعدات والخدمات المناسبة لها. تتعلق الأسئلة بأفراد الأسرة والمسكن والموارد "
        "والتغذية والصحة واحتياجاتكم، وتستغرق المقابلة نحو 30 دقيقة. إجاباتكم سرّية: تُسجَّل في سجلّ "
        "البرنامج ولا يطّلع عليها إلا الموظفون المخوَّل لهم ذلك، ولا تُحال إلى منظمة شريكة إلا بموافقتكم "
        "ومن أجل توجيهكم إلى خدمة ما. المشاركة طوعية: يمكنكم رفض الإجابة عن أي سؤال أو التوقف في أي "
        "وقت، دون أن يؤثر ذلك على المساعدة التي تتلقونها حاليًا. ويمكنكم طلب الاطلاع على بياناتكم أو "
        "تصحيحها أو سحبها.",
        "(Introduce yourself: your name and your organisation.) We are meeting households in this area to "
        "understand their living conditions and refer them to the support and services that suit them. "
        "The questions cover the household members, the dwelling, resources, food, health and your needs; "
        "the interview takes about 30 minutes. Your answers are confidential: they are recorded in the "
        "programme's register, only authorised staff can see them, and they are passed to a partner "
        "organisation only if you agree, to refer you to a service. Taking part is voluntary: you may "
        "refuse any question or stop at any time, and this will not affect the support you already "
        "receive. You may ask to see, correct or withdraw your data.",
        "(Apresente-se: o seu nome e a sua organização.) Estamos a visitar os agregados familiares desta "
        "zona para conhecer as suas condições de vida e encaminhá-los para os apoios e serviços "
        "adequados. As perguntas são sobre os membros do agregado, a habitação, os recursos, a "
        "alimentação, a saúde e as vossas necessidades; a entrevista dura cerca de 30 minutos. As "
        "respostas são confidenciais: ficam registadas no registo do programa, só o pessoal autorizado as "
        "pode consultar e só são enviadas a uma organização parceira se o aceitar, para o encaminhar para "
        "um serviço. A participação é voluntária: pode recusar qualquer pergunta ou parar a qualquer "
        "momento, sem consequências para o apoio que já recebe. Pode pedir para ver, corrigir ou retirar "
        "os seus dados.")),
    q("select_one yes_no", "consent", Tr(
        "La personne accepte-t-elle de participer et que ses réponses soient enregistrées ?",
        "هل يوافق الشخص على المشاركة وعلى تسجيل إجاباته؟",
        "Does the person agree to take part and to have the answers recorded?",
        "A pessoa aceita participar e que as suas respostas sejam registadas?")),
    note("no_consent_note", Tr(
        "Remerciez la personne. Ne posez pas d'autre question ; enregistrez et finalisez le formulaire.",
        "اشكر الشخص. لا تطرح أي سؤال آخر، ثم احفظ الاستمارة وأنهِها.",
        "Thank the person. Ask no further question; save and finalise the form.",
        "Agradeça à pessoa. Não faça mais perguntas; guarde e finalize o formulário."),
        relevant="${consent} = 'no'"),
    q("select_one yes_no", "consent_sharing", Tr(
        "Accepte-t-elle que ses informations soient transmises à une organisation partenaire si c'est "
        "nécessaire pour l'orienter vers un service ?",
        "هل يوافق على إحالة معلوماته إلى منظمة شريكة إذا كان ذلك ضروريًا لتوجيهه إلى خدمة ما؟",
        "Does the person agree that the information may be passed to a partner organisation when needed "
        "to refer them to a service?",
        "Aceita que as suas informações sejam enviadas a uma organização parceira, se for necessário para "
        "a encaminhar para um serviço?"), relevant=CONSENTED),
    q("select_one yes_no", "consent_follow_up", Tr(
        "Accepte-t-elle d'être recontactée pour le suivi ?",
        "هل يوافق على أن نتصل به مجددًا للمتابعة؟",
        "Does the person agree to be contacted again for follow-up?",
        "Aceita ser contactada novamente para acompanhamento?"), relevant=CONSENTED),
]

IDENT = group("ident", Tr("Identification du ménage", "تعريف الأسرة", "Household identification",
                          "Identificação do agregado familiar"), [
    q("text", "hh_code", Tr("Code du ménage", "رمز الأسرة", "Household code", "Código do agregado familiar"),
      hint=Tr("Recopiez le code inscrit sur la carte du ménage (lettres MAJUSCULES, chiffres et tirets).",
              "انسخ الرمز المكتوب على بطاقة الأسرة (حروف لاتينية كبيرة وأرقام وشرطات).",
              "Copy the code written on the household card (CAPITAL letters, digits and hyphens).",
              "Copie o código escrito no cartão do agregado (letras MAIÚSCULAS, algarismos e hífenes)."),
      constraint="regex(., '^[A-Z0-9-]{4,40}$')",
      message=Tr("Code invalide : de 4 à 40 caractères, seulement des lettres MAJUSCULES, des chiffres et "
                 "des tirets (exemple : TN-1101-00042).",
                 "رمز غير صالح: من 4 إلى 40 خانة، بحروف لاتينية كبيرة وأرقام وشرطات فقط "
                 "(مثال: TN-1101-00042).",
                 "Invalid code: 4 to 40 characters, only CAPITAL letters, digits and hyphens "
                 "(for example TN-1101-00042).",
                 "Código inválido: de 4 a 40 caracteres, apenas letras MAIÚSCULAS, algarismos e hífenes "
                 "(por exemplo MZ-0101-00042).")),
    q("select_one_from_file zones.csv", "zone_code",
      Tr("Zone du logement", "منطقة المسكن", "Zone where the dwelling is", "Zona onde fica a habitação"),
      hint=Tr("Tapez quelques lettres du nom pour trouver la zone.", "اكتب بعض حروف الاسم للبحث عن المنطقة.",
              "Type a few letters of the name to find the zone.",
              "Escreva algumas letras do nome para encontrar a zona."),
      appearance="autocomplete"),
    q("text", "address", Tr("Adresse ou repères pour retrouver le logement",
                             "العنوان أو علامات تساعد على الوصول إلى المسكن",
                             "Address or landmarks to find the dwelling",
                             "Endereço ou pontos de referência para encontrar a habitação"), required=False),
    q("geopoint", "gps", Tr("Position GPS du logement", "الموقع الجغرافي (GPS) للمسكن",
                            "GPS position of the dwelling", "Posição GPS da habitação"),
      hint=Tr("Devant l'entrée, à ciel ouvert ; attendez une précision de 10 m ou mieux.",
              "أمام المدخل وفي مكان مكشوف، وانتظر حتى تصبح الدقة 10 أمتار أو أفضل.",
              "At the entrance, under open sky; wait for an accuracy of 10 m or better.",
              "À entrada, ao ar livre; espere por uma precisão de 10 m ou melhor."), required=False),
    q("date", "interview_date", Tr("Date de l'entretien", "تاريخ المقابلة", "Interview date",
                                   "Data da entrevista"),
      default="today()",
      constraint="decimal-date-time(.) <= decimal-date-time(today()) "
                 "and decimal-date-time(.) >= decimal-date-time('2020-01-01')",
      message=Tr("La date ne peut être ni dans le futur ni avant 2020.",
                 "لا يمكن أن يكون التاريخ في المستقبل ولا قبل سنة 2020.",
                 "The date can be neither in the future nor before 2020.",
                 "A data não pode ser no futuro nem anterior a 2020.")),
    q("text", "respondent_name", Tr("Nom de la personne qui répond", "اسم الشخص الذي يجيب",
                                    "Name of the respondent", "Nome da pessoa que responde"),
      hint=Tr("De préférence le chef de ménage ou son conjoint, âgé de 18 ans ou plus.",
              "يُفضَّل أن يكون ربّ الأسرة أو الزوج/الزوجة، وأن يكون عمره 18 سنة أو أكثر.",
              "Preferably the head of household or the spouse, aged 18 or over.",
              "De preferência o chefe do agregado ou o cônjuge, com 18 anos ou mais.")),
], relevant=CONSENTED)

SUMMARY = [
    # Household-level figures the scoring and the zone diagnostics read without walking the roster.
    calc("n_members", "count(${member})", relevant=CONSENTED),
    calc("n_children_5_17", "count(/fiche_socio_economique/roster/member[age >= 5 and age <= 17])",
         relevant=CONSENTED),
    calc("n_under_5", "count(/fiche_socio_economique/roster/member[age != '' and age < 5])",
         relevant=CONSENTED),
    calc("n_60_plus", "count(/fiche_socio_economique/roster/member[age >= 60])", relevant=CONSENTED),
    calc("n_disabled", "count(/fiche_socio_economique/roster/member[has_disability = 1])",
         relevant=CONSENTED),
    calc("head_sex", "indexed-repeat(${sex}, ${member}, 1)", relevant=CONSENTED),
    note("end_note", Tr(
        "Fin de l'entretien. Remerciez le ménage, rappelez-lui comment joindre l'équipe, puis enregistrez "
        "et finalisez le formulaire.",
        "نهاية المقابلة. اشكر الأسرة وذكّرها بطريقة الاتصال بالفريق، ثم احفظ الاستمارة وأنهِها.",
        "End of the interview. Thank the household, remind them how to reach the team, then save and "
        "finalise the form.",
        "Fim da entrevista. Agradeça ao agregado, lembre como contactar a equipa e depois guarde e "
        "finalize o formulário."), relevant=CONSENTED),
]
